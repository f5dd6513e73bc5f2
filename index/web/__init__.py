"""Articles from the web: fetching pages safely (fetch), adding a link's article (links) and
following news feeds (feeds), each added through the running `SearchService`.

May import anything in `index`, the service included; nothing in `index` imports it.
"""
