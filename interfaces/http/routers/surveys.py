"""Routes on satisfaction surveys (满意度调查, §16): inspectors record batches of paper forms
or a third party's results; the centre's staff list them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from interfaces.http import commands
from interfaces.http.deps import CentreDep, ContainerDep, InspectorDep, SupervisionDep
from interfaces.http.responses import COMMAND, SOME_ROLES, VALIDATED
from interfaces.http.schemas.surveys import (
    SurveyBatchCreate,
    SurveyBatchPublic,
    SurveyList,
    SurveyListQuery,
)

router = APIRouter(prefix="/surveys", tags=["surveys"])


@router.post("", status_code=status.HTTP_201_CREATED, responses={**COMMAND, **SOME_ROLES})
def record_survey_batch(
    body: SurveyBatchCreate, app: SupervisionDep, actor: InspectorDep
) -> SurveyBatchPublic:
    """Record a batch of satisfaction forms at a window over a period (录入调查结果): paper
    forms handed out at random, or one window's results from a third party's survey."""
    return SurveyBatchPublic.of(commands.record_survey_batch(app, body, actor))


@router.get("", responses={**SOME_ROLES, **VALIDATED})
async def list_survey_batches(
    query: Annotated[SurveyListQuery, Query()], container: ContainerDep, _: CentreDep
) -> SurveyList:
    """Survey batches, the last recorded first, of one window if named."""
    page = await container.surveys.list_batches(
        window=query.window, limit=query.limit, cursor=query.cursor, after=query.after
    )
    return SurveyList.of(page)
