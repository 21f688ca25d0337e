"""files.getUploadURLExternal and files.completeUploadExternal: Slack's two-step upload (the
bytes go to the upload URL, which the server answers)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from devkit.emulator.api import Call, SlackError, Upload, method_table
from devkit.emulator.records import UploadedFile

if TYPE_CHECKING:
    from devkit.emulator.world import SlackWorld

HANDLERS, api = method_table()


@api("files.getUploadURLExternal")
def _files_get_upload_url(world: SlackWorld, call: Call) -> dict[str, Any]:
    call.require("filename", "length")
    try:
        length = int(call.args["length"])
    except (TypeError, ValueError):
        raise SlackError("invalid_arguments") from None
    file_id = world.new_id("F")
    world.uploads[file_id] = Upload(
        file_id, str(call.args["filename"]), length, call.team.id, call.token
    )
    return {"upload_url": f"{world.root_url}/upload/{file_id}", "file_id": file_id}


@api("files.completeUploadExternal")
def _files_complete_upload(world: SlackWorld, call: Call) -> dict[str, Any]:
    call.require("files")
    files = call.args["files"]
    if not isinstance(files, list) or not all(isinstance(f, dict) and f.get("id") for f in files):
        raise SlackError("invalid_arguments")
    channel_id = call.args.get("channel_id") or None
    if channel_id is not None:
        channel_id = world.writable_channel(call.team, channel_id).id
    uploads = [world.uploads.get(f["id"]) for f in files]
    if any(u is None or u.team_id != call.team.id or u.content is None for u in uploads):
        raise SlackError("file_not_found")
    answer = []
    for sent, upload in zip(files, uploads, strict=True):
        assert upload is not None and upload.content is not None
        title = sent.get("title") or upload.filename
        world.files.append(
            UploadedFile(
                id=upload.file_id,
                filename=upload.filename,
                title=title,
                content=upload.content,
                channel_id=channel_id,
                initial_comment=call.args.get("initial_comment") or None,
                thread_ts=call.args.get("thread_ts") or None,
                team_id=call.team.id,
                user=call.team.bot_user_id,
                token=call.token,
            )
        )
        del world.uploads[upload.file_id]
        answer.append({"id": upload.file_id, "title": title, "name": upload.filename})
    return {"files": answer}
