"""Agreements between countries as the articles report them: the words of an agreement in a
sentence's parse (agreement_words), who it makes a party (parties, clauses, people), the
mentions read from sentences (agreement_reader, agreement_names), completed (memberships) and
summarised into agreements (agreements),
moderators' corrections, countries and their names, what an update changed in them (pact_events)
and who wants alerts about it (pact_alerts).

May import the modules directly in `index`, `index.models` and `index.ingest`; not storage,
answering, the service or web.
"""
