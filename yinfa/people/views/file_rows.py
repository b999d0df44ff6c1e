"""Rows of a person file: family and emergency contacts, honours, documents and the photo.

A row is read through its person: ``<Model>.objects.filter(person__in=<visible people>)``; a row of a file
outside the scope answers 404. Documents are downloaded only through ``document_download`` (never a public
media URL).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from yinfa.core.access import scope_checked
from yinfa.core.permissions import Perm
from yinfa.core.views.home import module
from yinfa.people.forms import ContactForm, DeleteForm, DocumentForm, HonourForm
from yinfa.people.models import Contact, Document, DocumentKind, Honour
from yinfa.people.services import file as file_services
from yinfa.people.views.file import file_url, form_page, get_person, save_failed, visible_people


def get_row(request, model, pk):
    rows = model.objects.filter(person__in=visible_people(request)).select_related("person")
    return get_object_or_404(rows, pk=pk)


def delete_page(request, row, *, what, anchor, service, **service_kwargs):
    """A confirmation page that says what will happen; POST deletes (with the file's version)."""
    person = row.person
    form = DeleteForm(request.POST or None, initial={"version": person.version})
    if request.method == "POST" and form.is_valid():
        try:
            service(actor=request.user, version=form.cleaned_data["version"], **service_kwargs)
        except ValidationError as exc:
            save_failed(form, exc)
        else:
            messages.success(request, _("Removed from the file: %(what)s.") % {"what": what})
            return redirect(file_url(person, anchor))
    return render(request, "people/registry/delete.html", {
        "person": person, "form": form, "what": what, "cancel_url": file_url(person, anchor),
        "stale": getattr(form, "stale", False),
    })


# --- contacts ----------------------------------------------------------------------------------------------------

@module("people")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PEOPLE_EDIT)
def contact_add(request, pk):
    person = get_person(request, pk)
    form = ContactForm(request.POST or None, initial={"version": person.version})
    if request.method == "POST" and form.is_valid():
        try:
            file_services.add_contact(actor=request.user, person=person, version=form.cleaned_data["version"],
                                      values=form.row_values())
        except ValidationError as exc:
            save_failed(form, exc)
        else:
            return redirect(file_url(person, "family"))
    return form_page(request, person, form, title=_("New family member or contact"), anchor="family")


@module("people")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PEOPLE_EDIT)
def contact_edit(request, pk):
    contact = get_row(request, Contact, pk)
    person = contact.person
    initial = {name: getattr(contact, name) for name in file_services.CONTACT_FIELDS if name != "phone"}
    form = ContactForm(request.POST or None, contact=contact, initial={**initial, "version": person.version})
    if request.method == "POST" and form.is_valid():
        try:
            file_services.update_contact(actor=request.user, contact=contact, version=form.cleaned_data["version"],
                                         values=form.row_values())
        except ValidationError as exc:
            save_failed(form, exc)
        else:
            return redirect(file_url(person, "family"))
    return form_page(request, person, form, title=_("Contact: %(name)s") % {"name": contact.name}, anchor="family")


@module("people")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PEOPLE_EDIT)
def contact_delete(request, pk):
    contact = get_row(request, Contact, pk)
    return delete_page(request, contact, what=contact.name, anchor="family", service=file_services.delete_contact,
                       contact=contact)


# --- honours -----------------------------------------------------------------------------------------------------

@module("people")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PEOPLE_EDIT)
def honour_add(request, pk):
    person = get_person(request, pk)
    form = HonourForm(request.POST or None, initial={"version": person.version})
    if request.method == "POST" and form.is_valid():
        try:
            file_services.add_honour(actor=request.user, person=person, version=form.cleaned_data["version"],
                                     values=form.row_values())
        except ValidationError as exc:
            save_failed(form, exc)
        else:
            return redirect(file_url(person, "talents"))
    return form_page(request, person, form, title=_("New honour or record"), anchor="talents")


@module("people")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PEOPLE_EDIT)
def honour_edit(request, pk):
    honour = get_row(request, Honour, pk)
    person = honour.person
    initial = {name: getattr(honour, name) for name in file_services.HONOUR_FIELDS}
    form = HonourForm(request.POST or None, initial={**initial, "version": person.version})
    if request.method == "POST" and form.is_valid():
        try:
            file_services.update_honour(actor=request.user, honour=honour, version=form.cleaned_data["version"],
                                        values=form.row_values())
        except ValidationError as exc:
            save_failed(form, exc)
        else:
            return redirect(file_url(person, "talents"))
    return form_page(request, person, form, title=_("Honour: %(title)s") % {"title": honour.title},
                     anchor="talents")


@module("people")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PEOPLE_EDIT)
def honour_delete(request, pk):
    honour = get_row(request, Honour, pk)
    return delete_page(request, honour, what=honour.title, anchor="talents", service=file_services.delete_honour,
                       honour=honour)


# --- documents and photo -----------------------------------------------------------------------------------------

@module("people")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PEOPLE_EDIT)
def document_add(request, pk):
    person = get_person(request, pk)
    kind = request.GET.get("kind") if request.GET.get("kind") in DocumentKind.values else DocumentKind.DOCUMENT
    form = DocumentForm(request.POST or None, request.FILES or None, initial={"version": person.version,
                                                                             "kind": kind})
    if request.method == "POST" and form.is_valid():
        try:
            file_services.add_document(actor=request.user, person=person, version=form.cleaned_data["version"],
                                       kind=form.cleaned_data["kind"], title=form.cleaned_data["title"],
                                       upload=form.cleaned_data["file"])
        except ValidationError as exc:
            save_failed(form, exc)
        else:
            return redirect(file_url(person, "documents"))
    return form_page(request, person, form, title=_("Add a document or photo"), anchor="documents", multipart=True)


@module("people")
@require_GET
@scope_checked(Perm.PEOPLE_VIEW)
def document_download(request, pk):
    """The stored file, streamed, only for a file in scope. Images are shown inline, PDFs downloaded."""
    document = get_row(request, Document, pk)
    try:
        stream = document.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    inline = document.content_type.startswith("image/")
    extension = file_services.DOCUMENT_TYPES.get(document.content_type, "bin")
    response = FileResponse(stream, as_attachment=not inline, filename=f"document-{document.pk}.{extension}",
                            content_type=document.content_type or "application/octet-stream")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@module("people")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PEOPLE_EDIT)
def document_delete(request, pk):
    document = get_row(request, Document, pk)
    return delete_page(request, document, what=document.title, anchor="documents",
                       service=file_services.delete_document, document=document)
