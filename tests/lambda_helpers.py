"""Helpers for the Lambda tests: zips made in memory, and a client of the `lambda` API."""
import io
import zipfile

from conftest import make_client

ROLE = "arn:aws:iam::000000000000:role/lambda-role"


def zip_of(files, modes=None):
    """A zip holding `files` ({name: text}); `modes` gives Unix modes by name."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = ((modes or {}).get(name, 0o644) & 0xFFFF) << 16
            z.writestr(info, text)
    return buf.getvalue()


ECHO = "def handler(event, context):\n    return event\n"


def lambda_client(server, **kw):
    return make_client(server, service="lambda", **kw)


def create(lam, name, code=ECHO, handler="app.handler", runtime="python3.12", **kw):
    files = code if isinstance(code, dict) else {"app.py": code}
    return lam.create_function(
        FunctionName=name,
        Runtime=runtime,
        Role=ROLE,
        Handler=handler,
        Code={"ZipFile": zip_of(files)},
        **kw,
    )
