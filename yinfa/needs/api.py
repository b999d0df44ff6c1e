"""The needs JSON API: each part registers its viewsets on the project router."""

from yinfa.needs import api_orders, api_wishes


def register(router):
    api_orders.register(router)
    api_wishes.register(router)
