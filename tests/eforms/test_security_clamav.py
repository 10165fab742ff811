"""Virus scanning of uploads against a real ClamAV daemon.

A session fixture starts `clamd` (Debian's clamav-daemon) with a database
the test writes: one signature for a marker pattern, no internet ones. It
listens on a unix socket and on a local TCP port, so both forms of
PORTAL_CLAMAV_SOCKET are exercised."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from eforms.models import Dossier
from tests.dossier_factories import make_citizen, make_procedure, make_staff, pdf_bytes, submit, upload
from tests.second_factor import pass_second_factor

MARKER = "PORTAL-CLAMAV-TEST-MARKER-5d1c9e"
SIGNATURE = "Portal.Test.Marker"
CODE = "1.001193"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def ping(address) -> bool:
    family = socket.AF_UNIX if isinstance(address, str) else socket.AF_INET
    try:
        with socket.socket(family) as conn:
            conn.settimeout(2)
            conn.connect(address)
            conn.sendall(b"zPING\0")
            return conn.recv(16) == b"PONG\0"
    except OSError:
        return False


@pytest.fixture(scope="session")
def clamd(tmp_path_factory):
    """(unix socket path, "127.0.0.1:port") of a running clamd."""
    binary = shutil.which("clamd") or ("/usr/sbin/clamd" if os.path.exists("/usr/sbin/clamd") else None)
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("clamd is not installed: `.ci/run` installs clamav-daemon.")
        pytest.skip("clamd is not installed (apt-get install clamav-daemon)")
    home: Path = tmp_path_factory.mktemp("clamd")
    (home / "db").mkdir()
    (home / "db" / "portal.ndb").write_text(f"{SIGNATURE}:0:*:{MARKER.encode().hex()}\n")
    port = free_port()
    (home / "clamd.conf").write_text(
        "Foreground yes\n"
        f"LocalSocket {home}/clamd.sock\n"
        f"TCPSocket {port}\nTCPAddr 127.0.0.1\n"
        f"DatabaseDirectory {home}/db\n"
        f"PidFile {home}/clamd.pid\n"
        f"LogFile {home}/clamd.log\n"
    )
    process = subprocess.Popen([binary, "-c", str(home / "clamd.conf")], stdout=subprocess.DEVNULL,
                               stderr=subprocess.STDOUT)
    sock = str(home / "clamd.sock")
    deadline = time.monotonic() + 60
    while not (ping(sock) and ping(("127.0.0.1", port))):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            log = (home / "clamd.log").read_text() if (home / "clamd.log").exists() else ""
            pytest.fail(f"clamd did not start: {log[-2000:]}")
        time.sleep(0.2)
    yield sock, f"127.0.0.1:{port}"
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def scanning_on(clamd, settings):
    settings.PORTAL_CLAMAV_SOCKET = clamd[0]
    return clamd


@pytest.fixture
def clamd_down(clamd, settings, tmp_path):
    """Scanning configured, but nothing listens at the socket."""
    settings.PORTAL_CLAMAV_SOCKET = str(tmp_path / "gone" / "clamd.sock")


def infected_pdf() -> bytes:
    return pdf_bytes(f"Giay khai sinh {MARKER}")


def url(attachment) -> str:
    with translation.override("vi"):
        return reverse("dossier_attachment", kwargs={"public_id": attachment.public_id})


def stored(name: str, content: bytes, user, field: str = "ban_sao_cccd"):
    from eforms.uploads import UploadRules, check_uploads, store

    check = check_uploads({field: [upload(name, content)]}, UploadRules.default())
    assert check.ok, check.errors
    return store(check.accepted[0], uploaded_by=user)


@pytest.fixture
def case(db):
    procedure = make_procedure(CODE)
    citizen = make_citizen("an")
    clerk = make_staff("clerk", procedure.agency, "receiver")
    return procedure, citizen, clerk


def submitted(case, attachment):
    procedure, citizen, _clerk = case
    submit(procedure, citizen, attachments=[attachment])
    attachment.refresh_from_db()
    return attachment


# ---------------------------------------------------------------- at upload time


def test_finding_08d_infected_upload_is_refused_and_the_rest_of_the_form_is_kept(db, client, scanning_on, settings):
    from eforms.scanning import infected_message
    from tests.eform_factories import citizen, make_eform
    from tests.eforms.test_apply import ANSWERS, APPLICANT, post_ok, summary

    make_eform(make_procedure(CODE), translate=False)
    client.force_login(citizen("an", id_number="001090012345"))
    s1 = post_ok(client, post_ok(client, f"/p/{CODE}/apply/", {}), APPLICANT)
    s2 = post_ok(client, s1, ANSWERS)
    # over TCP this time (host:port)
    settings.PORTAL_CLAMAV_SOCKET = scanning_on[1]
    response = client.post(s2, {
        "ban_sao_can_cuoc": [upload("nhiem.pdf", infected_pdf()), upload("trang-1.pdf", pdf_bytes())],
        "giay_to_khac": upload("khac.pdf", pdf_bytes("Giay to khac")),
    })
    assert response.status_code == 200
    with translation.override("vi"):
        expected = infected_message("nhiem.pdf")
    assert expected in summary(response)
    draft = Dossier.objects.get()
    kept = dict(draft.attachments.values_list("original_name", "scan_status"))
    assert kept == {"trang-1.pdf": "clean", "khac.pdf": "clean"}
    assert draft.form_data["answers"]["muc_dich_yeu_cau"] == ANSWERS["muc_dich_yeu_cau"]
    # the kept file satisfies the required field: the step goes on without uploading it again
    post_ok(client, s2, {})


def test_finding_08d_infected_message_is_clear_in_english(scanning_on):
    from eforms.uploads import UploadRules, check_uploads

    with translation.override("en"):
        check = check_uploads({"a": [upload("to-khai.pdf", infected_pdf()), upload("ok.pdf", pdf_bytes())]},
                              UploadRules.default())
    assert check.errors == {"a": [
        "“to-khai.pdf” contains a virus or malware and was not accepted. Check your device with an up-to-date "
        "antivirus program, then upload a clean copy of the document."
    ]}
    assert [c.original_name for c in check.accepted] == ["ok.pdf"]


def test_finding_08d_clean_upload_is_stored_clean(case, scanning_on):
    _procedure, citizen, _clerk = case
    attachment = stored("cccd.pdf", pdf_bytes(), citizen)
    attachment.refresh_from_db()
    assert attachment.scan_status == "clean"
    assert attachment.scanned_at is not None and attachment.scan_result == ""


# ---------------------------------------------------------------- clamd unreachable, rescan, downloads


def test_finding_08d_clamd_down_stores_pending_and_staff_cannot_download(client, case, clamd_down):
    _procedure, citizen, clerk = case
    attachment = submitted(case, stored("cccd.pdf", pdf_bytes(), citizen))
    assert attachment.scan_status == "pending" and attachment.scanned_at is None
    pass_second_factor(client, clerk)
    response = client.get(url(attachment))
    assert response.status_code == 403
    assert "cccd.pdf" in response.content.decode()
    assert not hasattr(response, "streaming_content")
    # the applicant may fetch back what they uploaded
    client.force_login(citizen)
    assert client.get(url(attachment)).status_code == 200


def test_finding_08d_rescan_marks_pending_files_clean_once_clamd_is_back(client, case, clamd_down, settings,
                                                                         clamd):
    _procedure, citizen, clerk = case
    attachment = submitted(case, stored("cccd.pdf", pdf_bytes(), citizen))
    with pytest.raises(CommandError, match="clamd did not answer"):
        call_command("rescan_pending_uploads")
    attachment.refresh_from_db()
    assert attachment.scan_status == "pending"

    settings.PORTAL_CLAMAV_SOCKET = clamd[0]
    call_command("rescan_pending_uploads")
    attachment.refresh_from_db()
    assert attachment.scan_status == "clean" and attachment.scanned_at is not None
    pass_second_factor(client, clerk)
    response = client.get(url(attachment))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes()


def test_finding_08d_files_from_before_scanning_wait_for_the_rescan(client, case, settings, clamd):
    _procedure, citizen, clerk = case
    attachment = submitted(case, stored("cccd.pdf", pdf_bytes(), citizen))
    assert attachment.scan_status == "not_required"
    pass_second_factor(client, clerk)
    assert client.get(url(attachment)).status_code == 200  # scanning off: as before
    settings.PORTAL_CLAMAV_SOCKET = clamd[0]
    assert client.get(url(attachment)).status_code == 403
    call_command("rescan_pending_uploads")
    attachment.refresh_from_db()
    assert attachment.scan_status == "clean"
    assert client.get(url(attachment)).status_code == 200


def test_finding_08d_infected_file_is_never_downloadable(client, case, clamd_down, settings, clamd):
    _procedure, citizen, clerk = case
    # stored while clamd was down, found infected by the rescan
    attachment = submitted(case, stored("cccd.pdf", infected_pdf(), citizen))
    settings.PORTAL_CLAMAV_SOCKET = clamd[0]
    call_command("rescan_pending_uploads")
    attachment.refresh_from_db()
    assert attachment.scan_status == "infected"
    assert attachment.scan_result.startswith(SIGNATURE)
    for user in (clerk, citizen):
        pass_second_factor(client, user) if user is clerk else client.force_login(user)
        response = client.get(url(attachment))
        assert response.status_code == 403
        assert not hasattr(response, "streaming_content")
    # the applicant's dossier page names the file without a link
    with translation.override("vi"):
        page = client.get(reverse("my_dossier", args=[attachment.dossier.code])).content.decode()
    assert "cccd.pdf" in page and url(attachment) not in page
    # nor once scanning is turned off again
    settings.PORTAL_CLAMAV_SOCKET = ""
    for user in (clerk, citizen):
        pass_second_factor(client, user) if user is clerk else client.force_login(user)
        assert client.get(url(attachment)).status_code == 403
