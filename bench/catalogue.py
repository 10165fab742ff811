"""The test catalogue the dossier benchmarks fill their tables against:
agencies and procedures with codes of their own series (so they never
collide with the demo's or with each other's), made once and kept."""

from __future__ import annotations


def agencies_and_procedures(series: int, agencies: int, procedures: int) -> tuple[list, list]:
    """`agencies` agencies coded 000.<series><n>.H30 and `procedures`
    procedures coded <series>.<n>, spread over them; existing rows are reused."""
    from procedures.models import ProcedurePage
    from tests.dossier_factories import make_agency, make_procedure

    made_agencies = [
        make_agency(f"000.{series}{a // 10}.{a % 10:02d}.H30", f"Cơ quan thử {a}", translate=False)
        for a in range(agencies)
    ]
    made_procedures = []
    for n in range(procedures):
        code = f"{series}.{n:06d}"
        page = ProcedurePage.objects.filter(code=code).first() or make_procedure(
            code, made_agencies[n % agencies], title=f"Thủ tục thử số {n}")
        made_procedures.append(page)
    return made_agencies, made_procedures
