"""HTTP routes for maintenance blocks and usage sessions of an instrument."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import HeaderParameter, JSONBody, QueryParameter

from service.accounts.principal import Principal
from service.bookings import blocks, reschedule, usage
from service.bookings.schemas import (
    BlockIn,
    BlockOut,
    BlockPatchIn,
    BlockPreviewOut,
    BlockSeriesIn,
    BlockSeriesOut,
    UsageIn,
    UsageOut,
)
from service.bookings.window import aware
from service.common.params import (
    OptionalInstantFrom,
    OptionalInstantTo,
    PageNumber,
    PageSize,
    PathId,
)
from service.common.schemas import Page, Problem
from service.common.time import utcnow
from service.db import Database

DB = NamedDependency[Database]
User = NamedDependency[Principal]

BLOCK_ERRORS = {
    403: ResponseSpec(Problem, description="Only the instrument's managers or institution admins"),
    409: ResponseSpec(Problem, description="Bookings in the way (`displaced`) or another block"),
}


@post(
    "/api/v1/instruments/{instrument_id:int}/blocks",
    operation_id="createBlock",
    tags=["maintenance"],
    status_code=201,
    responses={
        **BLOCK_ERRORS,
        200: ResponseSpec(BlockPreviewOut, description="`dry_run=true`: what it would displace"),
        201: ResponseSpec(BlockOut, description="Placed; `displaced` lists cancelled bookings"),
    },
)
async def create_block(
    instrument_id: PathId,
    data: JSONBody[BlockIn],
    user: User,
    db: DB,
    *,
    dry_run: Annotated[bool, QueryParameter()] = False,
) -> Response[BlockOut | BlockPreviewOut]:
    """`on_conflict=fail` refuses when bookings are in the way; `cancel` cancels and tells them.
    With `dry_run=true` nothing is written and the answer lists the bookings it would displace."""
    result = await blocks.place_block(db, user, instrument_id, data, now=utcnow(), dry_run=dry_run)
    if isinstance(result, list):
        return Response(BlockPreviewOut(displaced=result), status_code=200)
    return Response(
        result, status_code=201, headers={"ETag": reschedule.etag(result.id, result.version)}
    )


@post(
    "/api/v1/instruments/{instrument_id:int}/blocks/preview",
    operation_id="previewBlock",
    tags=["maintenance"],
    status_code=200,
    responses=BLOCK_ERRORS,
)
async def preview_block(
    instrument_id: PathId, data: JSONBody[BlockIn], user: User, db: DB
) -> BlockPreviewOut:
    result = await blocks.place_block(db, user, instrument_id, data, now=utcnow(), dry_run=True)
    assert isinstance(result, list)
    return BlockPreviewOut(displaced=result)


@post(
    "/api/v1/instruments/{instrument_id:int}/blocks/series",
    operation_id="createBlockSeries",
    tags=["maintenance"],
    status_code=201,
    responses={
        **BLOCK_ERRORS,
        200: ResponseSpec(BlockPreviewOut, description="`dry_run=true`: what it would displace"),
        201: ResponseSpec(BlockSeriesOut, description="Every occurrence placed"),
        422: ResponseSpec(Problem, description="Times out of range or a bad repetition"),
    },
)
async def create_block_series(
    instrument_id: PathId,
    data: JSONBody[BlockSeriesIn],
    user: User,
    db: DB,
    *,
    dry_run: Annotated[bool, QueryParameter()] = False,
) -> Response[BlockSeriesOut | BlockPreviewOut]:
    """A block repeated daily, weekly or on weekdays, at the same local wall-clock times on
    every date (DST included); all occurrences or none."""
    result = await blocks.place_block_series(
        db, user, instrument_id, data, now=utcnow(), dry_run=dry_run
    )
    if isinstance(result, list):
        return Response(BlockPreviewOut(displaced=result), status_code=200)
    return Response(result, status_code=201)


@patch(
    "/api/v1/instruments/{instrument_id:int}/blocks/{block_id:int}",
    operation_id="moveBlock",
    tags=["maintenance"],
    responses={
        **BLOCK_ERRORS,
        404: ResponseSpec(Problem, description="No such block"),
        412: ResponseSpec(Problem, description="If-Match names an older version"),
        428: ResponseSpec(Problem, description="If-Match missing"),
    },
)
async def move_block(
    instrument_id: PathId,
    block_id: PathId,
    data: JSONBody[BlockPatchIn],
    user: User,
    *,
    db: DB,
    if_match: Annotated[str | None, HeaderParameter(name="If-Match", max_length=200)] = None,
) -> Response[BlockOut]:
    """Move or resize a block; `If-Match` carries the ETag (`"<id>-<version>"`) it was read
    with. Bookings the new time overlaps: `on_conflict` as for a new block."""
    expected = reschedule.parse_if_match(if_match, block_id, user.language)
    block = await blocks.move_block(
        db, user, instrument_id, block_id, expected=expected, data=data, now=utcnow()
    )
    return Response(block, headers={"ETag": reschedule.etag(block.id, block.version)})


@get(
    "/api/v1/instruments/{instrument_id:int}/blocks",
    operation_id="listBlocks",
    tags=["maintenance"],
)
async def list_blocks(
    instrument_id: PathId,
    user: User,
    db: DB,
    start: OptionalInstantFrom = None,
    *,
    end: OptionalInstantTo = None,
    include_cancelled: Annotated[bool, QueryParameter()] = False,
) -> list[BlockOut]:
    return await blocks.list_blocks(
        db,
        instrument_id,
        aware(start, "from"),
        aware(end, "to"),
        include_cancelled=include_cancelled,
    )


@delete(
    "/api/v1/instruments/{instrument_id:int}/blocks/{block_id:int}",
    operation_id="deleteBlock",
    tags=["maintenance"],
    responses={404: ResponseSpec(Problem, description="No such block"), **BLOCK_ERRORS},
)
async def delete_block(
    instrument_id: PathId,
    block_id: PathId,
    user: User,
    db: DB,
) -> None:
    await blocks.remove_block(db, user, instrument_id, block_id, now=utcnow())


@post(
    "/api/v1/instruments/{instrument_id:int}/usage",
    operation_id="recordUsage",
    tags=["usage"],
    status_code=201,
    responses={403: BLOCK_ERRORS[403], 409: ResponseSpec(Problem, description="Already recorded")},
)
async def record_usage(
    instrument_id: PathId, data: JSONBody[UsageIn], user: User, db: DB
) -> UsageOut:
    """Usage entered afterwards; without booking or user it is the owner group's own use."""
    return await usage.record_usage(db, user, instrument_id, data, now=utcnow())


@get("/api/v1/instruments/{instrument_id:int}/usage", operation_id="listUsage", tags=["usage"])
async def list_usage(
    instrument_id: PathId,
    user: User,
    db: DB,
    start: OptionalInstantFrom = None,
    *,
    end: OptionalInstantTo = None,
    page: PageNumber = 1,
    page_size: PageSize = 20,
) -> Page[UsageOut]:
    return await usage.list_usage(
        db,
        user,
        instrument_id,
        aware(start, "from"),
        end=aware(end, "to"),
        page=page,
        page_size=page_size,
    )


ROUTES: list[Any] = [
    create_block,
    preview_block,
    create_block_series,
    move_block,
    list_blocks,
    delete_block,
    record_usage,
    list_usage,
]
