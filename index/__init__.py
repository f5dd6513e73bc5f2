"""Pactbot's retrieval layer: articles -> passages -> hybrid index -> quoted, cited answers.

Importable without discord.py, so the CLI, the tests and the benchmarks can use it alone. Its
packages, in the order they may import one another (each may import the ones before it, and
tests/test_imports.py checks it):

* the modules directly here: text, files, yamlfile, statefile, glossary, citation;
* `models`: the sentence encoder, spaCy's pipeline, dates, Pactbot's trained models;
* `ingest`: reading articles into sentences and passages;
* `pacts`: agreements between countries read from them, and the events of an update;
* `storage`: the index on disk, built and switched atomically;
* `answering`: a question's path to quoted, cited answers, and its evaluation;
* `service`: `SearchService`, what the bot and the CLI call (with the training of `models`);
* `web`: articles added from links and feeds, through the service.
"""
