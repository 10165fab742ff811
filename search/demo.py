"""Demo search content: synonym groups citizens need, two best bets, and the
popularity counts of the demo dossiers.

Idempotent: groups are matched by their first term, promotions by query and
page, so a second `load_demo` changes nothing.
"""

from __future__ import annotations

from django.db import transaction
from wagtail.contrib.search_promotions.models import Query, SearchPromotion
from wagtail.models import Locale

from core.text import fold
from procedures.models import ProcedurePage

from . import popularity
from .models import SynonymGroup

SYNONYM_GROUPS = [
    ("sổ đỏ\ngiấy chứng nhận quyền sử dụng đất", "Cách gọi thông dụng của Giấy chứng nhận"),
    ("sổ hồng\ngiấy chứng nhận quyền sở hữu nhà ở", "Cách gọi thông dụng"),
    ("cmnd\nchứng minh nhân dân\ncăn cước\ncccd", "Giấy tờ tùy thân"),
    ("bằng lái xe\ngiấy phép lái xe", ""),
    ("giấy phép kinh doanh\nđăng ký kinh doanh", ""),
    ("làm giấy khai sinh\nđăng ký khai sinh", ""),
    ("đăng ký tạm trú\ntạm trú", ""),
    ("lý lịch tư pháp\nphiếu lý lịch tư pháp\nlltp", ""),
    ("tnhh\ntrách nhiệm hữu hạn", "Viết tắt"),
]

# query → words the promoted procedure's title contains
PROMOTIONS = [
    ("khai sinh", "khai sinh", "Đăng ký khai sinh trực tuyến, nhận kết quả tại nhà."),
    ("giấy phép xây dựng", "giay phep xay dung", "Cấp giấy phép xây dựng: hồ sơ, thời hạn và lệ phí."),
]


@transaction.atomic
def load(stdout) -> None:
    existing = {fold(group.term_list()[0]) for group in SynonymGroup.objects.all() if group.term_list()}
    created = 0
    for terms, note in SYNONYM_GROUPS:
        if fold(terms.splitlines()[0]) not in existing:
            SynonymGroup.objects.create(terms=terms, note=note)
            created += 1
    promoted = _load_promotions()
    counted = popularity.recount_dossiers()  # the demo dossiers feed the popularity signal
    stdout.write(f"search: {created} synonym groups added, {promoted} best bets added, "
                 f"{counted} days of procedure use counted")


def _load_promotions() -> int:
    try:
        vi = Locale.objects.get(language_code="vi")
    except Locale.DoesNotExist:
        return 0
    added = 0
    procedures = list(ProcedurePage.objects.live().filter(locale=vi).order_by("-usage_count", "pk")
                      .only("id", "title")[:2000])
    for query_string, words, description in PROMOTIONS:
        page = next((p for p in procedures if words in fold(p.title)), None)
        if page is None:
            continue
        query = Query.get(query_string)
        _, made = SearchPromotion.objects.get_or_create(
            query=query, page=page, defaults={"description": description, "sort_order": 0}
        )
        added += made
    return added
