"""The index on disk: built from the articles (build: passages embedded, agreements read),
stored as versions switched atomically (store, vector_index for the graph search), the pact
events of an update recorded (updates), and memory handed back after a build.

May import the modules directly in `index`, `index.models`, `index.ingest` and `index.pacts`; not
answering, the service or web.
"""
