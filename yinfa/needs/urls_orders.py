"""URLs of the needs app: the module's entry, the retiree's and the volunteer's pages, the needs list and orders,
the resource list, the service menu and the project list."""

from django.urls import path

from yinfa.needs.views import order_actions, orders, resources, self_service

urlpatterns = [
    path("", self_service.home, name="home"),
    path("mine/", self_service.self_home, name="self_home"),
    path("mine/order/", self_service.self_order, name="self_order"),
    path("tasks/", self_service.my_tasks, name="my_tasks"),
    path("orders/", orders.order_list, name="order_list"),
    path("orders/export/", orders.order_export, name="order_export"),
    path("orders/overdue/", orders.order_overdue, name="order_overdue"),
    path("orders/new/", orders.order_create, name="order_create"),
    path("orders/<int:pk>/", orders.order_detail, name="order_detail"),
    path("orders/<int:pk>/accept/", order_actions.order_accept, name="order_accept"),
    path("orders/<int:pk>/assign/", order_actions.order_assign, name="order_assign"),
    path("orders/<int:pk>/done/", order_actions.order_done, name="order_done"),
    path("orders/<int:pk>/confirm/", order_actions.order_confirm, name="order_confirm"),
    path("orders/<int:pk>/cancel/", order_actions.order_cancel, name="order_cancel"),
    path("orders/<int:pk>/reject/", order_actions.order_reject, name="order_reject"),
    path("menu/", resources.menu, name="menu"),
    path("menu/new/", resources.menu_create, name="menu_create"),
    path("menu/<int:pk>/edit/", resources.menu_edit, name="menu_edit"),
    path("resources/", resources.resource_list, name="resource_list"),
    path("resources/export/", resources.resource_export, name="resource_export"),
    path("resources/new/", resources.resource_create, name="resource_create"),
    path("resources/<int:pk>/edit/", resources.resource_edit, name="resource_edit"),
    path("projects/", resources.project_list, name="project_list"),
    path("projects/new/", resources.project_create, name="project_create"),
    path("projects/<int:pk>/", resources.project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", resources.project_edit, name="project_edit"),
]
