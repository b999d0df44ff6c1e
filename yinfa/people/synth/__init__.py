"""Synthetic province-sized data for benchmarks (``manage.py synth --people N``).

- ``tree``: the province's organisation tree: a province bureau → cities (12 counties each) → counties, each
  county shaped like the demo county 青禾县 (its units, streets and communities, the work committee, branches and
  party groups), one county per ``county_size`` people. Node ids are chosen up front, so paths are known before
  the insert and the tree goes in with plain bulk inserts.
- ``people``: the retirees of one county, drawn with the demo county's generator (yinfa.core.demo.people: names,
  valid ID numbers, the 离休/退休 shares, ages, anchors, talents) from a random stream of their own, so a county's
  people do not depend on which process builds them or in which order.
- ``build``: runs it all, a county per task, in several processes on PostgreSQL, batches of a few thousand
  people per transaction, and reports progress.

Everything is fictional: the province 华阳省 and its area codes (39xxxx) do not exist.
"""
