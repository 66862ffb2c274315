"""Long lists a page at a time, with GOV.UK pagination links that keep the list's filters."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PAGE_SIZE = 50

Row = TypeVar("Row")


@dataclass(frozen=True)
class PageLink:
    number: int
    url: str
    current: bool


@dataclass(frozen=True)
class Pagination:
    page: Page[Any]
    links: list[PageLink | None]  # None is a gap ("⋯")
    previous_url: str
    next_url: str

    @property
    def first_shown(self) -> int:
        return self.page.start_index()

    @property
    def last_shown(self) -> int:
        return self.page.end_index()

    @property
    def total(self) -> int:
        return self.page.paginator.count


def _url(request: HttpRequest, number: int) -> str:
    query = request.GET.copy()
    query["page"] = str(number)
    return f"?{query.urlencode()}"


def paginate(
    request: HttpRequest, rows: QuerySet[Any] | Sequence[Row], per_page: int = PAGE_SIZE
) -> Pagination:
    """The page the request asks for (`?page=`), the first when it asks for none or nonsense
    and the last when it asks for one past the end."""
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    numbers = page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
    links = [
        None
        if number == Paginator.ELLIPSIS
        else PageLink(int(number), _url(request, int(number)), int(number) == page.number)
        for number in numbers
    ]
    return Pagination(
        page=page,
        links=links,
        previous_url=_url(request, page.number - 1) if page.has_previous() else "",
        next_url=_url(request, page.number + 1) if page.has_next() else "",
    )
