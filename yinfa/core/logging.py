import logging

from yinfa.core import context


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = context.current().request_id or "-"
        return True
