"""The whole-year refresh on PostgreSQL in three statements: the meetings' masks per branch, ``INSERT … SELECT``
computing every branch's row (written only when it changed), and removing the rows of branches not open.

The held and on-time masks come from a packed ``BIT_OR`` aggregate (a few BIGINTs per branch, several rules in
each), written first to a temporary table so that the scan of the meetings runs in parallel; the open masks from
the node's opened_on/closed_on as a range of bits (the periods from the one holding opened_on to the one holding
the day before closed_on); the due masks are constants of the rule. The per-rule
detail is built with ``jsonb_build_object``, the totals with ``bit_count``. Nothing crosses to Python but the
year's figures. ``compliance_masks.Combiner`` is the reference for what is computed here; the tests hold the two
to the same rows.
"""

import datetime

from django.db import connection

from yinfa.core.models import OrgKind, OrgNode
from yinfa.partylife.models import Branch, BranchCompliance, Meeting
from yinfa.partylife.periods import Frequency, due_mask
from yinfa.partylife.services.compliance_masks import GROUP_MEETING, LATENESS_COLUMN, pack_layout

JSON_PAIRS_PER_CALL = 40  # jsonb_build_object takes at most 100 arguments


def _period_of(frequency, month_sql):
    """SQL: the index of the period of ``frequency`` holding the month ``month_sql`` (1–12)."""
    if frequency == Frequency.MONTH:
        return f"({month_sql} - 1)"
    if frequency == Frequency.QUARTER:
        return f"(({month_sql} - 1) / 3)"
    return "0"


def _open_mask_sql(frequency, periods):
    """SQL: the open mask of a branch for ``frequency`` (columns opened_on, closed_on; the branch is open for some
    day of the year, which the WHERE clause guarantees)."""
    low = (f"CASE WHEN opened_on IS NULL OR opened_on < %(first)s THEN 0 "
           f"ELSE {_period_of(frequency, 'EXTRACT(MONTH FROM opened_on)::int')} END")
    high = (f"CASE WHEN closed_on IS NULL OR closed_on > %(last)s THEN {periods - 1} "
            f"ELSE {_period_of(frequency, 'EXTRACT(MONTH FROM closed_on - 1)::int')} END")
    return f"(((1 << (({high}) + 1)) - 1) & ~((1 << ({low})) - 1))"


def _held_columns(rules, layout, params):
    """The packed aggregates g0, g1, …: per meeting, CASE on its type gives the bits of the rules of that type
    (held at the rule's first bit + period, on time at first bit + periods + period); BIT_OR over the branch."""
    groups = max(group for group, _base in layout) + 1
    columns = []
    for group in range(groups):
        whens = []
        by_kind = {}
        for rule, (rule_group, base) in zip(rules, layout, strict=True):
            if rule_group == group:
                by_kind.setdefault(rule.meeting_kind, []).append((rule, base))
        for n, (kind, members) in enumerate(by_kind.items()):
            key = f"k{group}_{n}"
            params[key] = kind
            parts = []
            for rule, base in members:
                index = _period_of(rule.frequency, "counts_month")
                parts.append(f"(1::bigint << ({base} + {index})) | CASE WHEN {LATENESS_COLUMN[rule.frequency]} <= "
                             f"{int(rule.grace_days)} THEN 1::bigint << ({base + rule.periods} + {index}) ELSE 0 END")
            whens.append(f"WHEN %({key})s THEN " + " | ".join(f"({part})" for part in parts))
        columns.append(f"BIT_OR(CASE kind {' '.join(whens)} END) AS g{group}")
    return columns, groups


def refresh_statement(rules, year, today, branch_ids=None):
    """(held_sql, insert_sql, delete_sql, params): the first creates the temporary table ``compliance_held`` (the
    packed masks per branch), the second upserts the year's rows and returns (branches, expected, held, on time,
    rows written), the third removes the rows of branches not open in the year.

    A row that did not change is left alone (the nightly refresh rewrites only what moved); a row written meanwhile
    by a concurrent ``refresh_branch`` is overwritten (``ON CONFLICT … DO UPDATE``)."""
    params = {"year": year, "first": datetime.date(year, 1, 1), "last": datetime.date(year, 12, 31),
              "kinds": sorted({rule.meeting_kind for rule in rules}) or [""], "group_kind": OrgKind.PARTY_GROUP}
    layout = pack_layout(rules) if rules else []
    held_columns, groups = _held_columns(rules, layout, params) if rules else (["0 AS g0"], 1)
    only = ""
    if branch_ids is not None:
        params["ids"] = list(branch_ids)
        only = " AND {column} = ANY(%(ids)s)"
    meeting, branch, node = Meeting._meta.db_table, Branch._meta.db_table, OrgNode._meta.db_table
    frequencies = sorted({rule.frequency for rule in rules})
    periods = {Frequency.MONTH: 12, Frequency.QUARTER: 4, Frequency.YEAR: 1}
    open_columns = [f"{_open_mask_sql(f, periods[f])} AS open_{f}" for f in frequencies]
    # per rule n: h{n} held, t{n} on time (raw), then e{n} expected and o{n} on time within held
    held_masks, final_masks, applies, pairs = [], [], [], []
    for n, (rule, (group, base)) in enumerate(zip(rules, layout, strict=True)):
        width = (1 << rule.periods) - 1
        opened = f"open_{rule.frequency}"
        held_masks.append(f"(((g{group} >> {base}) & {width}) & {opened})::int AS h{n}, "
                          f"((g{group} >> {base + rule.periods}) & {width})::int AS t{n}, {opened}::int AS w{n}")
        due = due_mask(rule.frequency, year, rule.grace_days, today)
        final_masks.append(f"w{n} & ({due} | h{n}) AS e{n}, t{n} & h{n} AS o{n}, h{n}, w{n}")
        conditions = []
        if rule.branch_kinds:
            params[f"bk{n}"] = list(rule.branch_kinds)
            conditions.append(f"kind = ANY(%(bk{n})s)")
        if rule.meeting_kind == GROUP_MEETING:
            conditions.append("with_groups")
        applies.append(" AND ".join(conditions))
        pairs.append((f"'{int(rule.id)}'", f"jsonb_build_array(w{n}, e{n}, h{n}, o{n})"))

    def total(letter):
        terms = [f"bit_count({letter}{n}::bit({rule.periods}))" for n, rule in enumerate(rules)]
        terms = [f"(CASE WHEN {applies[n]} THEN {term} ELSE 0 END)" if applies[n] else term
                 for n, term in enumerate(terms)]
        return " + ".join(terms) or "0"

    def json_object(chosen):
        chunks = [chosen[i:i + JSON_PAIRS_PER_CALL] for i in range(0, len(chosen), JSON_PAIRS_PER_CALL)]
        return " || ".join("jsonb_build_object(" + ", ".join(f"{k}, {v}" for k, v in chunk) + ")"
                           for chunk in chunks)

    # Rules for every kind of branch in one object; a rule for some kinds is added only where it applies.
    parts = [json_object([pair for n, pair in enumerate(pairs) if not applies[n]])]
    parts += [f"CASE WHEN {applies[n]} THEN {json_object([pair])} ELSE '{{}}'::jsonb END"
              for n, pair in enumerate(pairs) if applies[n]]
    detail = " || ".join(part for part in parts if part) or "'{}'::jsonb"
    target = BranchCompliance._meta.db_table
    g_columns = ", ".join(f"COALESCE(h.g{g}, 0) AS g{g}" for g in range(groups))
    held_sql = (f"CREATE TEMPORARY TABLE compliance_held ON COMMIT DROP AS "
                f"SELECT branch_id, {', '.join(held_columns)} FROM {meeting} "
                f"WHERE counts_year = %(year)s AND qualifies AND kind = ANY(%(kinds)s)"
                f"{only.format(column='branch_id')} GROUP BY branch_id")
    insert_sql = f"""
WITH branches AS (
    SELECT b.node_id AS branch_id, b.path, b.kind, n.opened_on, n.closed_on, {g_columns},
           EXISTS (SELECT 1 FROM {node} g WHERE g.parent_id = b.node_id AND g.kind = %(group_kind)s
                   AND g.closed_on IS NULL) AS with_groups
    FROM {branch} b JOIN {node} n ON n.id = b.node_id LEFT JOIN compliance_held h ON h.branch_id = b.node_id
    WHERE (n.opened_on IS NULL OR n.opened_on <= %(last)s) AND (n.closed_on IS NULL OR n.closed_on > %(first)s)
          {only.format(column='b.node_id')}
), opened AS MATERIALIZED (
    SELECT branch_id, path, kind, with_groups, {', '.join(['g' + str(g) for g in range(groups)] + open_columns)}
    FROM branches
), held_masks AS MATERIALIZED (
    SELECT branch_id, path, kind, with_groups{''.join(', ' + c for c in held_masks)} FROM opened
), masks AS MATERIALIZED (
    SELECT branch_id, path, kind, with_groups{''.join(', ' + c for c in final_masks)} FROM held_masks
), computed AS MATERIALIZED (
    SELECT branch_id, path, {total('e')} AS expected, {total('h')} AS held, {total('o')} AS on_time,
           {detail} AS detail
    FROM masks
), written AS (
    INSERT INTO {target} AS old (branch_id, year, branch_path, expected, held, on_time, detail, computed_at)
    SELECT branch_id, %(year)s, path, expected, held, on_time, detail, now() FROM computed
    ON CONFLICT (branch_id, year) DO UPDATE SET branch_path = EXCLUDED.branch_path,
        expected = EXCLUDED.expected, held = EXCLUDED.held, on_time = EXCLUDED.on_time,
        detail = EXCLUDED.detail, computed_at = EXCLUDED.computed_at
    WHERE (old.branch_path, old.expected, old.held, old.on_time, old.detail)
          IS DISTINCT FROM (EXCLUDED.branch_path, EXCLUDED.expected, EXCLUDED.held, EXCLUDED.on_time, EXCLUDED.detail)
    RETURNING 1
)
SELECT count(*), COALESCE(sum(expected), 0), COALESCE(sum(held), 0), COALESCE(sum(on_time), 0),
       (SELECT count(*) FROM written)
FROM computed
"""
    delete_sql = f"""
DELETE FROM {target} old USING {branch} b, {node} n
WHERE old.year = %(year)s AND b.node_id = old.branch_id AND n.id = b.node_id {only.format(column='old.branch_id')}
  AND NOT ((n.opened_on IS NULL OR n.opened_on <= %(last)s) AND (n.closed_on IS NULL OR n.closed_on > %(first)s))
"""
    return held_sql, insert_sql, delete_sql, params


# The results are derived data, recomputed every night: a crash losing the last refresh costs nothing, so the
# refresh does not wait for its WAL to be flushed. JIT compiling the wide expressions costs more than it saves.
SESSION_SETTINGS = ("SET LOCAL jit = off", "SET LOCAL work_mem = '64MB'", "SET LOCAL synchronous_commit = off")


def refresh_postgresql(rules, year, today, branch_ids=None):
    """Recompute the year's rows (of ``branch_ids``): rows that changed are written, rows of branches not open in
    the year removed. Returns the figures, with ``written`` and ``removed`` rows."""
    held_sql, insert_sql, delete_sql, params = refresh_statement(rules, year, today, branch_ids)
    with connection.cursor() as cursor:
        for setting in SESSION_SETTINGS:
            cursor.execute(setting)
        cursor.execute("DROP TABLE IF EXISTS compliance_held")
        cursor.execute(held_sql, params)  # a parallel scan of the year's meetings (no parallelism under INSERT)
        cursor.execute(insert_sql, params)
        branches, expected, held, on_time, written = cursor.fetchone()
        cursor.execute(delete_sql, params)
        removed = cursor.rowcount
        cursor.execute("DROP TABLE compliance_held")
    return {"branches": branches, "expected": int(expected), "held": int(held), "on_time": int(on_time),
            "written": written, "removed": removed}
