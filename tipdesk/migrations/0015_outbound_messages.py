"""Messages waiting to be sent keep them in the desk's channel-neutral terms (`content.outbound`:
text, buttons, quote, template) instead of a part of a Graph API body (`content.send`): only the
WhatsApp adapter builds Graph bodies now. Queued and held messages are converted; sent ones keep
what they had, as the record of what went out."""

import json

from tortoise import migrations
from tortoise.migrations import operations as ops

WAITING = ("queued", "held")


def outbound(send):
    kind = send.get("type")
    if kind == "template":
        template = send.get("template") or {}
        language = (template.get("language") or {}).get("code", "")
        return {"kind": "template", "text": "", "template": [template.get("name", ""), language]}
    if kind == "interactive":
        interactive = send.get("interactive") or {}
        buttons = (interactive.get("action") or {}).get("buttons") or []
        pairs = [[b["reply"]["id"], b["reply"]["title"]] for b in buttons if "reply" in b]
        text = (interactive.get("body") or {}).get("text", "")
        return {"kind": "buttons", "text": text, "buttons": pairs}
    text = send.get("text") or {}
    converted = {"kind": "text", "text": text.get("body", "")}
    if (send.get("context") or {}).get("message_id"):
        converted["quote"] = send["context"]["message_id"]
    if text.get("preview_url") is False:
        converted["link_preview"] = False
    return converted


async def convert(apps, schema_editor):
    client = schema_editor.client
    postgres = schema_editor.DIALECT == "postgres"
    marks = ("$1", "$2") if postgres else ("?", "?")
    _, rows = await client.execute_query(
        "SELECT \"id\", \"content\" FROM \"messages\" WHERE \"direction\"='out' "
        "AND \"delivery\" IN ('queued', 'held')"
    )
    for row in rows:
        content = row["content"]
        content = json.loads(content) if isinstance(content, str) else dict(content)
        send = content.pop("send", None)
        if not isinstance(send, dict) or "outbound" in content:
            continue
        content["outbound"] = outbound(send)
        cast = "::jsonb" if postgres else ""
        await client.execute_query(
            f'UPDATE "messages" SET "content"={marks[0]}{cast} WHERE "id"={marks[1]}',
            [json.dumps(content), row["id"]],
        )


class Migration(migrations.Migration):
    dependencies = [("tipdesk", "0014_webhook_error_fingerprint")]

    initial = False

    operations = [ops.RunPython(convert, ops.RunPython.noop)]
