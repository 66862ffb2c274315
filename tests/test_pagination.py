"""Long lists come a page at a time; the links keep the list's filters."""

from django.template.loader import render_to_string
from django.test import RequestFactory

from offramp.web.pagination import PAGE_SIZE, paginate

ROWS = list(range(1, 2 * PAGE_SIZE + 21))  # three pages, the last one short


def _page(query: str):
    return paginate(RequestFactory().get(f"/screening/?{query}"), ROWS)


def test_each_page_holds_its_rows_and_links_keep_the_filters():
    pagination = _page("factor=associates&page=2")
    assert list(pagination.page) == ROWS[PAGE_SIZE : 2 * PAGE_SIZE]
    assert (pagination.first_shown, pagination.last_shown, pagination.total) == (51, 100, 120)
    assert pagination.previous_url == "?factor=associates&page=1"
    assert pagination.next_url == "?factor=associates&page=3"
    assert [link.number for link in pagination.links if link] == [1, 2, 3]
    assert [link.current for link in pagination.links if link] == [False, True, False]


def test_a_page_asked_for_in_error_gives_the_first_or_the_last():
    assert list(_page("page=banana").page) == ROWS[:PAGE_SIZE]
    assert list(_page("page=99").page) == ROWS[2 * PAGE_SIZE :]
    assert _page("page=99").next_url == ""


def test_the_links_render_as_govuk_pagination_only_when_there_is_more_than_one_page():
    html = render_to_string("web/includes/pagination.html", {"pagination": _page("page=3")})
    assert 'class="govuk-pagination"' in html and 'rel="prev"' in html and 'rel="next"' not in html
    assert 'aria-current="page"' in html
    single = paginate(RequestFactory().get("/"), ROWS[:3])
    assert render_to_string("web/includes/pagination.html", {"pagination": single}).strip() == ""
