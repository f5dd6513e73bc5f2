"""A question's path: candidates retrieved (dense and BM25), their features, what each article
is about, the fitted ranker (ranker.json) and abstention, the sentences to quote, and the answer
with its citations; the question's type and names; the evaluation and fitting that measure and
train it.

May import everything in `index` below the service: the modules directly in it, models, ingest,
pacts and storage; not the service or web.
"""
