"""Reading articles: a file's text and front matter (articles), its credits, its sentences and
the passages it is split into for the model's window.

May import the modules directly in `index` (text, files, yamlfile, glossary...) and `index.models`;
nothing above it (pacts, storage, answering, the service, web).
"""
