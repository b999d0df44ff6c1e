"""Object routes of the roster import for the scope matrix: a county-A batch, asked for by county B."""

from yinfa.people.models import ImportBatch, ImportStatus


def batch_in_county_a(o):
    batch = ImportBatch.objects.create(
        unit=o.world.unit_a, scope_path=o.world.county_a.path, original_name="甲县财政局花名册.xlsx",
        stored_file="", uploaded_by=o.world.county_a_admin, status=ImportStatus.PREVIEWED,
        summary={"rows": 1, "valid": 1, "checked": True, "new": 1}, errors=[])
    return {"uid": batch.uid}


ROUTES = {
    "people:import_detail": (batch_in_county_a, "admin_b"),
    "people:import_confirm": (batch_in_county_a, "admin_b"),
    "people:import_cancel": (batch_in_county_a, "admin_b"),
    "people:import_errors": (batch_in_county_a, "admin_b"),
}
