"""files.getUploadURLExternal and files.completeUploadExternal: Slack's two-step upload (the
bytes go to the upload URL, which the server answers); files.info, and the file object Slack
puts in a file_input's state (its `url_private_download` is served by the server, to the bot
token of a workspace granted files:read only)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from devkit.emulator.api import Call, SlackError, Upload, method_table
from devkit.emulator.records import UploadedFile

if TYPE_CHECKING:
    from devkit.emulator.world import SlackWorld

HANDLERS, api = method_table()


def download_path(file: UploadedFile) -> str:
    return f"/files-pri/{file.team_id}-{file.id}/download/{quote(file.filename)}"


def file_object(world: SlackWorld, file: UploadedFile) -> dict[str, Any]:
    """The file as files.info answers it, and as a file_input's state lists it."""
    name = file.filename
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else "text"
    private = f"{world.root_url}/files-pri/{file.team_id}-{file.id}/{quote(name)}"
    return {
        "id": file.id,
        "created": file.created,
        "timestamp": file.created,
        "name": name,
        "title": file.title or name,
        "mimetype": "text/csv" if extension == "csv" else "text/plain",
        "filetype": extension,
        "user": file.user,
        "user_team": file.team_id,
        "size": len(file.content),
        "mode": "hosted",
        "is_external": False,
        "is_public": False,
        "url_private": private,
        "url_private_download": world.root_url + download_path(file),
    }


@api("files.info")
def _files_info(world: SlackWorld, call: Call) -> dict[str, Any]:
    call.require("file")
    file = next(
        (f for f in world.files if f.id == call.args["file"] and f.team_id == call.team.id), None
    )
    if file is None:
        raise SlackError("file_not_found")
    return {"file": file_object(world, file), "comments": [], "response_metadata": {}}


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
