"""URLs of the party dues app."""

app_name = "dues"

urlpatterns = []
