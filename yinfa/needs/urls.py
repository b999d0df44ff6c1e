"""URLs of the needs app (三张清单, 点单 service orders, 微心愿). Each part keeps its routes in its own module."""

from yinfa.needs import urls_orders, urls_wishes

app_name = "needs"

urlpatterns = [*urls_orders.urlpatterns, *urls_wishes.urlpatterns]
