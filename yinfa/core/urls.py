from django.urls import path

from yinfa.core.views import accounts, audit, auth, holidays, home, jobs, notifications, org, system

app_name = "core"

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("password/", auth.password_change, name="password_change"),
    path("totp/setup/", auth.totp_setup, name="totp_setup"),
    path("totp/verify/", auth.totp_verify, name="totp_verify"),
    path("scope/switch/", home.switch_scope, name="switch_scope"),
    path("prefs/large-font/", home.toggle_large_font, name="toggle_large_font"),
    # organisation tree
    path("org/", org.tree, name="org_tree"),
    path("org/<int:pk>/children/", org.children, name="org_children"),
    path("org/search/", org.search, name="org_search"),
    path("org/new/", org.create, name="org_create"),
    path("org/<int:pk>/", org.detail, name="org_detail"),
    path("org/<int:pk>/edit/", org.edit, name="org_edit"),
    path("org/<int:pk>/move/", org.move, name="org_move"),
    path("org/<int:pk>/close/", org.close, name="org_close"),
    path("org/<int:pk>/reopen/", org.reopen, name="org_reopen"),
    # accounts and role grants
    path("accounts/", accounts.user_list, name="user_list"),
    path("accounts/export/", accounts.user_export, name="user_export"),
    path("accounts/new/", accounts.user_create, name="user_create"),
    path("accounts/<int:pk>/", accounts.user_detail, name="user_detail"),
    path("accounts/<int:pk>/edit/", accounts.user_edit, name="user_edit"),
    path("accounts/<int:pk>/active/", accounts.user_set_active, name="user_set_active"),
    path("accounts/<int:pk>/password/", accounts.user_reset_password, name="user_reset_password"),
    path("accounts/<int:pk>/totp/", accounts.user_reset_totp, name="user_reset_totp"),
    path("accounts/<int:pk>/grants/new/", accounts.grant_create, name="grant_create"),
    path("grants/<int:pk>/revoke/", accounts.grant_revoke, name="grant_revoke"),
    # audit trail
    path("audit/", audit.audit_list, name="audit_list"),
    path("audit/export/", audit.audit_export, name="audit_export"),
    path("audit/<int:pk>/", audit.audit_detail, name="audit_detail"),
    # notifications
    path("notifications/", notifications.notification_list, name="notification_list"),
    path("notifications/<int:pk>/open/", notifications.notification_open, name="notification_open"),
    path("notifications/read-all/", notifications.notification_read_all, name="notification_read_all"),
    # background jobs
    path("jobs/", jobs.job_list, name="job_list"),
    path("jobs/<uuid:uid>/", jobs.job_detail, name="job_detail"),
    path("jobs/<uuid:uid>/download/", jobs.job_download, name="job_download"),
    # system administration
    path("system/", system.system_settings, name="system_settings"),
    path("system/maintenance/", system.maintenance, name="system_maintenance"),
    path("system/holidays/", holidays.holiday_table, name="holiday_table"),
]
