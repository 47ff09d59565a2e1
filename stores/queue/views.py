"""The check-in page: a tablet at the store's door, no login.

Its address carries the store's unguessable check-in token rather than the store's id or
a slug: whoever has the link can put names on that store's queue, so the link is the
credential, and staff retire a leaked one by giving the store a new token.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from stores.queue.choices import CheckInDoor
from stores.queue.forms import CheckInForm
from stores.queue.models import StoreQueue
from stores.queue.services import QueueClosed, check_in


@csrf_protect
@require_http_methods(["GET", "POST"])
def check_in_page(request: HttpRequest, token: str) -> HttpResponse:
    queue = (
        StoreQueue.objects.select_related("store", "store__company")
        .filter(check_in_token=token)
        .first()
    )
    if queue is None:
        raise Http404("No such check-in page.")
    store = queue.store
    if not store.opt_in_queue_enabled:
        return _closed(request, store)
    form = CheckInForm(request.POST or None, store=store)
    if request.method == "POST" and form.is_valid():
        try:
            check_in(store, form.arrival(), CheckInDoor.CHECK_IN_PAGE)
        except QueueClosed:
            return _closed(request, store)
        return redirect(f"{request.path}?checked_in=1")
    context = {
        "store": store,
        "form": form,
        "checked_in": request.method == "GET" and request.GET.get("checked_in") == "1",
    }
    return render(request, "queue/check_in.html", context, status=400 if form.errors else 200)


def _closed(request: HttpRequest, store: object) -> HttpResponse:
    return render(request, "queue/check_in_closed.html", {"store": store}, status=403)
