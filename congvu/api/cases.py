"""Cases of misconduct, scoped like the pages."""

from ninja import Router

router = Router(tags=["Vụ việc / Cases"])
