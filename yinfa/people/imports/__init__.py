"""Roster import (花名册导入): safety checks, reading, validation, planning and the bulk write.

Modules: ``safety`` (refuse before parsing), ``columns`` (header synonyms), ``reader`` (header row, data rows),
``normalize`` (cell values), ``validate`` (rows), ``plan`` (new / update / unchanged), ``writer`` (bulk writes
and audit rows), ``run`` (one pass over a file), ``services`` (the web flow's writes), ``jobs`` (background
tasks), ``errors_workbook``, ``template``, ``sample`` (a large realistic roster for benchmarks).
"""
