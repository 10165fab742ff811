from tests.core.test_pagecache import ON, get, pagecache, site  # noqa

@ON
def test_debug(site):
    print("gen0", pagecache.generation())
    r = get("/")
    print("gen1", pagecache.generation(), r[pagecache.STATUS_HEADER], r["Cache-Control"], r.get("Vary"))
    r = get("/")
    print("gen2", pagecache.generation(), r[pagecache.STATUS_HEADER])


@ON
def test_debug2(site, monkeypatch):
    import traceback
    orig = pagecache._bump
    def bump():
        traceback.print_stack(limit=12)
        orig()
    monkeypatch.setattr(pagecache, "_bump", bump)
    get("/")
