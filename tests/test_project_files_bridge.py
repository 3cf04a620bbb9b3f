"""The MPXJ bridge, for real: Java starts, MPXJ reads a hand-written Project XML (MSPDI) file,
writes one from a plan and reads it back, and refuses what is not a plan.

Each bridge run starts a JVM (a few seconds), so each file is read once per module and the
checks share that read.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest

from tracker.domain.project_data import (
    TRACKER_REF_ALIAS,
    Baseline,
    Calendar,
    Link,
    ProjectData,
    Span,
    Task,
)
from tracker.project_files import bridge, files
from tracker.project_files.files import (
    MAX_BYTES,
    ProjectFileError,
    java_available,
    read_project,
    write_mspdi,
)

pytestmark = pytest.mark.usefixtures("java")  # MPXJ runs in a Java runtime

ROOT = Path(__file__).resolve().parents[1]

if not java_available():  # pragma: no cover - CI installs the JRE (make test)
    pytest.fail("These tests need a Java runtime: `make install` adds default-jre-headless.")

_WORKING = (
    "<WorkingTimes>"
    "<WorkingTime><FromTime>08:00:00</FromTime><ToTime>12:00:00</ToTime></WorkingTime>"
    "<WorkingTime><FromTime>13:00:00</FromTime><ToTime>17:00:00</ToTime></WorkingTime>"
    "</WorkingTimes>"
)
_WEEKDAYS = "".join(
    f"<WeekDay><DayType>{n}</DayType><DayWorking>1</DayWorking>{_WORKING}</WeekDay>"
    for n in range(2, 7)  # Monday (2) to Friday (6); 1 is Sunday, 7 Saturday
)

# A plan as Project 2010+ saves it ("Save as XML"), written by hand. Durations are in
# hours (PT40H = 5 days at 480 minutes a day); LinkLag is in tenths of a minute (4800 =
# 480 minutes = 1 day, LagFormat 7 = days; 5 = hours).
SAMPLE_XML = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Project xmlns="http://schemas.microsoft.com/project">
  <SaveVersion>14</SaveVersion>
  <Name>estates.xml</Name>
  <Title>Estates closedown</Title>
  <ScheduleFromStart>1</ScheduleFromStart>
  <StartDate>2025-01-06T08:00:00</StartDate>
  <CalendarUID>1</CalendarUID>
  <DefaultStartTime>08:00:00</DefaultStartTime>
  <DefaultFinishTime>17:00:00</DefaultFinishTime>
  <MinutesPerDay>480</MinutesPerDay>
  <MinutesPerWeek>2400</MinutesPerWeek>
  <DaysPerMonth>21</DaysPerMonth>
  <ExtendedAttributes>
    <ExtendedAttribute><FieldID>188743731</FieldID><FieldName>Text1</FieldName>
      <Alias>{TRACKER_REF_ALIAS}</Alias></ExtendedAttribute>
    <ExtendedAttribute><FieldID>188743734</FieldID><FieldName>Text2</FieldName>
      <Alias>RAG</Alias></ExtendedAttribute>
  </ExtendedAttributes>
  <Calendars>
    <Calendar>
      <UID>1</UID><Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar>
      <BaseCalendarUID>-1</BaseCalendarUID>
      <WeekDays>
        <WeekDay><DayType>1</DayType><DayWorking>0</DayWorking></WeekDay>
        {_WEEKDAYS}
        <WeekDay><DayType>7</DayType><DayWorking>0</DayWorking></WeekDay>
      </WeekDays>
      <Exceptions>
        <Exception>
          <EnteredByOccurrences>0</EnteredByOccurrences>
          <TimePeriod><FromDate>2025-01-20T00:00:00</FromDate>
            <ToDate>2025-01-21T23:59:00</ToDate></TimePeriod>
          <Occurrences>1</Occurrences><Name>Office move</Name><Type>1</Type>
          <DayWorking>0</DayWorking>
        </Exception>
        <Exception>
          <EnteredByOccurrences>0</EnteredByOccurrences>
          <TimePeriod><FromDate>2025-01-25T00:00:00</FromDate>
            <ToDate>2025-01-25T23:59:00</ToDate></TimePeriod>
          <Occurrences>1</Occurrences><Name>Saturday cutover</Name><Type>1</Type>
          <DayWorking>1</DayWorking>
          <WorkingTimes><WorkingTime><FromTime>09:00:00</FromTime><ToTime>13:00:00</ToTime>
          </WorkingTime></WorkingTimes>
        </Exception>
      </Exceptions>
    </Calendar>
  </Calendars>
  <Tasks>
    <Task><UID>0</UID><ID>0</ID><Name>Estates closedown</Name><OutlineLevel>0</OutlineLevel>
      <Summary>1</Summary></Task>
    <Task>
      <UID>10</UID><ID>1</ID><Name>Estates</Name><WBS>E</WBS><OutlineNumber>1</OutlineNumber>
      <OutlineLevel>1</OutlineLevel><Summary>1</Summary><Milestone>0</Milestone>
      <Start>2025-01-06T08:00:00</Start><Finish>2025-01-15T17:00:00</Finish>
      <Duration>PT64H0M0S</Duration><DurationFormat>7</DurationFormat>
    </Task>
    <Task>
      <UID>11</UID><ID>2</ID><Name>Survey sites</Name><WBS>E.1</WBS>
      <OutlineNumber>1.1</OutlineNumber><OutlineLevel>2</OutlineLevel>
      <Summary>0</Summary><Milestone>0</Milestone>
      <Start>2025-01-06T08:00:00</Start><Finish>2025-01-10T17:00:00</Finish>
      <Duration>PT40H0M0S</Duration><DurationFormat>7</DurationFormat>
      <EarlyStart>2025-01-06T08:00:00</EarlyStart><EarlyFinish>2025-01-10T17:00:00</EarlyFinish>
      <TotalSlack>0</TotalSlack>
      <PercentComplete>40</PercentComplete>
      <ActualStart>2025-01-06T08:00:00</ActualStart>
      <ConstraintType>0</ConstraintType>
      <Cost>125000</Cost>
      <ExtendedAttribute><FieldID>188743731</FieldID><Value>MS-12</Value></ExtendedAttribute>
      <ExtendedAttribute><FieldID>188743734</FieldID><Value>Amber</Value></ExtendedAttribute>
      <Baseline><Number>0</Number><Start>2025-01-06T08:00:00</Start>
        <Finish>2025-01-09T17:00:00</Finish><Duration>PT32H0M0S</Duration>
        <DurationFormat>7</DurationFormat></Baseline>
      <Baseline><Number>2</Number><Start>2025-01-13T08:00:00</Start>
        <Finish>2025-01-17T17:00:00</Finish><Duration>PT40H0M0S</Duration>
        <DurationFormat>7</DurationFormat></Baseline>
    </Task>
    <Task>
      <UID>12</UID><ID>3</ID><Name>Agree leases</Name><WBS>E.2</WBS>
      <OutlineNumber>1.2</OutlineNumber><OutlineLevel>2</OutlineLevel>
      <Summary>0</Summary><Milestone>0</Milestone>
      <Start>2025-01-14T08:00:00</Start><Finish>2025-01-15T17:00:00</Finish>
      <Duration>PT16H0M0S</Duration><DurationFormat>7</DurationFormat>
      <TotalSlack>4800</TotalSlack>
      <ConstraintType>4</ConstraintType><ConstraintDate>2025-01-13T08:00:00</ConstraintDate>
      <LevelingDelay>4800</LevelingDelay><LevelingDelayFormat>7</LevelingDelayFormat>
      <Notes>Landlord sign-off needed</Notes>
      <PredecessorLink><PredecessorUID>11</PredecessorUID><Type>1</Type>
        <CrossProject>0</CrossProject><LinkLag>4800</LinkLag><LagFormat>7</LagFormat>
      </PredecessorLink>
    </Task>
    <Task>
      <UID>13</UID><ID>4</ID><Name>Sites ready</Name><WBS>E.3</WBS>
      <OutlineNumber>1.3</OutlineNumber><OutlineLevel>2</OutlineLevel>
      <Summary>0</Summary><Milestone>1</Milestone>
      <Start>2025-01-15T17:00:00</Start><Finish>2025-01-15T17:00:00</Finish>
      <Duration>PT0H0M0S</Duration><DurationFormat>7</DurationFormat>
      <Deadline>2025-01-31T17:00:00</Deadline>
      <PredecessorLink><PredecessorUID>12</PredecessorUID><Type>0</Type>
        <CrossProject>0</CrossProject><LinkLag>0</LinkLag><LagFormat>7</LagFormat>
      </PredecessorLink>
    </Task>
    <Task>
      <UID>14</UID><ID>5</ID><Name>Tell staff</Name><WBS>S</WBS><OutlineNumber>2</OutlineNumber>
      <OutlineLevel>1</OutlineLevel><Summary>0</Summary><Milestone>0</Milestone>
      <Manual>1</Manual>
      <Start>2025-01-06T08:00:00</Start><Finish>2025-01-07T17:00:00</Finish>
      <Duration>PT16H0M0S</Duration><DurationFormat>7</DurationFormat>
      <ActualStart>2025-01-06T08:00:00</ActualStart><ActualFinish>2025-01-07T17:00:00</ActualFinish>
      <PercentComplete>100</PercentComplete>
      <PredecessorLink><PredecessorUID>11</PredecessorUID><Type>3</Type>
        <CrossProject>0</CrossProject><LinkLag>-2400</LinkLag><LagFormat>5</LagFormat>
      </PredecessorLink>
    </Task>
  </Tasks>
  <Resources>
    <Resource><UID>0</UID><ID>0</ID><Type>1</Type><IsNull>0</IsNull></Resource>
    <Resource><UID>1</UID><ID>1</ID><Name>Jane Smith</Name><Type>1</Type><IsNull>0</IsNull>
    </Resource>
    <Resource><UID>2</UID><ID>2</ID><Name>Raj Patel</Name><Type>1</Type><IsNull>0</IsNull>
      <Cost>50000</Cost></Resource>
    <Resource><UID>3</UID><ID>3</ID><Name>Estates team</Name><Type>1</Type><IsNull>0</IsNull>
    </Resource>
  </Resources>
  <Assignments>
    <Assignment><UID>1</UID><TaskUID>11</TaskUID><ResourceUID>1</ResourceUID><Units>1</Units>
      <Work>PT40H0M0S</Work></Assignment>
    <Assignment><UID>2</UID><TaskUID>12</TaskUID><ResourceUID>2</ResourceUID><Units>0.5</Units>
      <Work>PT8H0M0S</Work></Assignment>
  </Assignments>
</Project>
"""


def _at(day: str, hour: int) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour)


# ----------------------------------------------------------------------------- reading


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[ProjectData, str]:
    """The hand-written file read by the bridge's command line (its raw stdout too)."""
    path = tmp_path_factory.mktemp("sample") / "estates.xml"
    path.write_text(SAMPLE_XML, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "tracker.project_files.bridge", "read", str(path)],
        capture_output=True,
        text=True,
        timeout=files.READ_TIMEOUT,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return ProjectData.from_json(json.loads(done.stdout)), done.stdout


def test_the_bridge_prints_only_the_json_on_stdout(sample: tuple[ProjectData, str]) -> None:
    _, stdout = sample
    assert stdout.count("\n") == 1 and stdout.endswith("}\n")
    assert json.loads(stdout)["name"] == "Estates closedown"


def test_project_properties_and_calendar(sample: tuple[ProjectData, str]) -> None:
    plan, _ = sample
    assert plan.name == "Estates closedown"  # the title, not the file name
    assert plan.file_format == "MSPDI"
    assert plan.start == datetime(2025, 1, 6, 8, 0)
    assert (plan.minutes_per_day, plan.minutes_per_week, plan.days_per_month) == (480, 2400, 21)
    assert plan.calendar == Calendar(
        name="Standard",
        working_weekdays=(0, 1, 2, 3, 4),
        non_working=(date(2025, 1, 20), date(2025, 1, 21)),  # one two-day closure, expanded
        working=(date(2025, 1, 25),),  # a Saturday opened for the cutover
    )
    assert plan.resources == ("Jane Smith", "Raj Patel", "Estates team")


def test_tasks(sample: tuple[ProjectData, str]) -> None:
    plan, _ = sample
    tasks = {t.uid: t for t in plan.tasks}
    assert list(tasks) == [10, 11, 12, 13, 14]  # the project summary task (UID 0) is left out

    estates = tasks[10]
    assert (estates.id, estates.name, estates.outline_level, estates.parent_uid) == (
        1,
        "Estates",
        1,
        None,
    )
    assert estates.summary and not estates.milestone
    assert estates.duration == Span(8.0, "DAYS")
    assert estates.wbs == "E"

    survey = tasks[11]
    assert survey.parent_uid == 10 and survey.outline_level == 2 and not survey.summary
    assert survey.duration == Span(5.0, "DAYS")
    assert (survey.start, survey.finish) == (_at("2025-01-06", 8), _at("2025-01-10", 17))
    assert (survey.early_start, survey.early_finish) == (survey.start, survey.finish)
    assert survey.total_slack == Span(0.0, "MINUTES")
    assert survey.percent_complete == 40.0
    assert survey.actual_start == _at("2025-01-06", 8) and survey.actual_finish is None
    assert survey.resources == ("Jane Smith",)
    assert survey.tracker_ref == "MS-12"  # Text1, aliased "Tracker ref"
    assert survey.baselines == (
        Baseline(0, _at("2025-01-06", 8), _at("2025-01-09", 17), Span(4.0, "DAYS")),
        Baseline(2, _at("2025-01-13", 8), _at("2025-01-17", 17), Span(5.0, "DAYS")),
    )
    assert survey.constraint == "ASAP" and survey.constraint_date is None
    assert survey.wbs == "E.1" and not survey.manual and not survey.null

    leases = tasks[12]
    assert leases.constraint == "SNET"
    assert leases.constraint_date == _at("2025-01-13", 8)
    assert leases.notes == "Landlord sign-off needed"
    assert leases.total_slack == Span(480.0, "MINUTES")  # MPXJ's unit, not converted
    assert leases.resources == ("Raj Patel",)
    assert leases.tracker_ref is None and leases.baselines == ()

    ready = tasks[13]
    assert ready.milestone and ready.duration == Span(0.0, "DAYS")
    assert ready.start == ready.finish == _at("2025-01-15", 17)
    assert ready.deadline == _at("2025-01-31", 17)

    staff = tasks[14]
    assert staff.parent_uid is None and staff.outline_level == 1
    assert staff.manual
    assert (staff.actual_start, staff.actual_finish) == (
        _at("2025-01-06", 8),
        _at("2025-01-07", 17),
    )
    assert staff.percent_complete == 100.0


def test_links_keep_their_type_and_lag_in_projects_units(
    sample: tuple[ProjectData, str],
) -> None:
    plan, _ = sample
    assert set(plan.links) == {
        Link(11, 12, "FS", Span(1.0, "DAYS")),  # LinkLag 4800, LagFormat 7
        Link(12, 13, "FF", Span(0.0, "DAYS")),
        Link(11, 14, "SS", Span(-4.0, "HOURS")),  # a lead: LinkLag -2400, LagFormat 5
    }
    assert len(plan.links) == 3


def test_what_is_not_carried_is_listed(sample: tuple[ProjectData, str]) -> None:
    plan, _ = sample
    nc = plan.not_carried
    assert nc["Costs"] == ["1 task has a cost", "1 resource has a cost"]
    # Text2 is listed; Text1 is the tracker's own reference, carried, so it is not.
    assert nc["Custom fields"] == ["Text2 (RAG): set on 1 task"]
    assert nc["Resource levelling"] == ["1 task has a levelling delay"]
    assert "Deadlines" not in nc  # read as Task.deadline; the import lists each by name
    assert nc["Manually scheduled tasks"][0].startswith("1 task is manually scheduled")
    # Raj at 50%: units are not kept. Jane's 40 hours over 5 days is just "full time".
    assert len(nc["Work and units"]) == 1
    assert nc["Work and units"][0].startswith("1 resource assignment is at units other than")
    assert set(nc) == {
        "Costs",
        "Custom fields",
        "Resource levelling",
        "Manually scheduled tasks",
        "Work and units",
    }


# ----------------------------------------------------------------------------- writing


def _plan() -> ProjectData:
    days = lambda n: Span(n, "DAYS")  # noqa: E731
    tasks = (
        Task(
            1,
            1,
            "Estates",
            1,
            None,
            True,
            False,
            days(10),
            _at("2025-03-03", 8),
            _at("2025-03-14", 17),
        ),  # fmt: skip
        Task(
            2,
            2,
            "Survey sites",
            2,
            1,
            False,
            False,
            days(5),
            _at("2025-03-03", 8),
            _at("2025-03-07", 17),
            early_start=_at("2025-03-03", 8),
            early_finish=_at("2025-03-07", 17),
            total_slack=Span(2.0, "DAYS"),
            percent_complete=50.0,
            actual_start=_at("2025-03-03", 8),
            notes="Check the boiler room too",
            resources=("Jane Smith",),
            baselines=(
                Baseline(0, _at("2025-03-03", 8), _at("2025-03-07", 17), days(5)),
                Baseline(3, _at("2025-03-10", 8), _at("2025-03-14", 17), days(4.5)),
            ),
            tracker_ref="MS-1",
        ),  # fmt: skip
        Task(
            3,
            3,
            "Agree leases",
            2,
            1,
            False,
            False,
            days(3),
            _at("2025-03-10", 8),
            _at("2025-03-13", 17),
            constraint="SNET",
            constraint_date=_at("2025-03-10", 8),
            tracker_ref="MS-2",
        ),  # fmt: skip
        Task(
            4,
            4,
            "Sites ready",
            2,
            1,
            False,
            True,
            days(0),
            _at("2025-03-14", 17),
            _at("2025-03-14", 17),
            tracker_ref="MS-3",
        ),  # fmt: skip
        Task(
            5,
            5,
            "Staff told",
            1,
            None,
            False,
            False,
            days(2),
            _at("2025-03-03", 8),
            _at("2025-03-04", 17),
            percent_complete=100.0,
            actual_start=_at("2025-03-03", 8),
            actual_finish=_at("2025-03-04", 17),
            baselines=(Baseline(3, _at("2025-03-03", 8), _at("2025-03-04", 17), days(2)),),
            tracker_ref="MS-4",
        ),  # fmt: skip
    )
    links = (
        Link(2, 3, "FS", days(1)),
        Link(3, 4, "FF", Span(4.0, "HOURS")),
        Link(2, 5, "SS", days(-2)),  # a lead
        Link(5, 4, "SF", Span(3.0, "ELAPSED_DAYS")),
    )
    return ProjectData(
        name="Estates closedown",
        file_format="MSPDI",
        start=_at("2025-03-03", 8),
        calendar=Calendar(
            "Standard",
            (0, 1, 2, 3, 4),
            non_working=(date(2025, 3, 12), date(2025, 4, 18), date(2025, 4, 21)),
            working=(date(2025, 3, 8),),
        ),
        tasks=tasks,
        links=links,
        resources=("Jane Smith", "Raj Patel"),
    )


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory: pytest.TempPathFactory) -> tuple[ProjectData, bytes]:
    xml = write_mspdi(_plan())
    path = tmp_path_factory.mktemp("round_trip") / "plan.xml"
    path.write_bytes(xml)
    return read_project(path), xml


def test_the_export_is_project_xml(round_trip: tuple[ProjectData, bytes]) -> None:
    _, xml = round_trip
    text = xml.decode("utf-8")
    assert text.startswith("<?xml")
    assert '<Project xmlns="http://schemas.microsoft.com/project">' in text
    assert f"<Alias>{TRACKER_REF_ALIAS}</Alias>" in text
    assert "<LinkLag>4800</LinkLag>" in text  # 1 day in tenths of a minute


def test_write_then_read_gives_the_same_plan(round_trip: tuple[ProjectData, bytes]) -> None:
    back, _ = round_trip
    plan = _plan()
    assert (back.name, back.start) == (plan.name, plan.start)
    assert (back.minutes_per_day, back.minutes_per_week, back.days_per_month) == (480, 2400, 20)
    assert back.calendar == plan.calendar
    assert back.resources == plan.resources
    assert set(back.links) == set(plan.links) and len(back.links) == len(plan.links)
    assert [t.uid for t in back.tasks] == [t.uid for t in plan.tasks]
    fields = (
        "id", "name", "outline_level", "parent_uid", "summary", "milestone", "duration",
        "start", "finish", "early_start", "early_finish", "percent_complete", "actual_start",
        "actual_finish", "constraint", "constraint_date", "deadline", "notes", "resources",
        "baselines", "manual", "null", "tracker_ref",
    )  # fmt: skip
    for wrote, read in zip(plan.tasks, back.tasks, strict=True):
        for name in fields:
            assert getattr(read, name) == getattr(wrote, name), (wrote.name, name)
    # Slack goes out as late dates (early dates + 2 working days) and comes back as slack,
    # in the minutes MPXJ computes it in (2 days of 480 minutes).
    assert back.tasks[1].total_slack == Span(960.0, "MINUTES")
    assert [t.total_slack for t in back.tasks if t.uid != 2] == [None] * 4
    # Outline numbers stand in for the WBS codes the plan did not give.
    assert [t.wbs for t in back.tasks] == ["1", "1.1", "1.2", "1.3", "2"]
    assert back.not_carried == {}  # the tracker's own export holds nothing it drops


def test_a_plan_project_could_not_hold_is_refused_before_java_starts() -> None:
    plan = _plan()
    broken = ProjectData(
        name=plan.name,
        file_format=plan.file_format,
        start=plan.start,
        tasks=plan.tasks,
        links=(*plan.links, Link(2, 99, "FS", Span(0.0, "DAYS"))),
    )
    with pytest.raises(ProjectFileError) as caught:
        write_mspdi(broken)
    assert caught.value.kind == "unwritable"
    assert str(caught.value) == "A link names task 99, which is not in the plan."


# ----------------------------------------------------------------------------- bad input


def _refused(path: Path) -> ProjectFileError:
    with pytest.raises(ProjectFileError) as caught:
        read_project(path)
    return caught.value


def test_a_text_file_is_not_a_project_file(tmp_path: Path) -> None:
    path = tmp_path / "plan.mpp"
    path.write_text("Milestone,Due\nGo live,2025-04-01\n", encoding="utf-8")
    error = _refused(path)
    assert error.kind == "not_a_project_file"
    assert str(error).startswith("This is not a Microsoft Project file")
    assert "Project XML" in error.message


def test_a_workbook_is_not_a_project_file(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    with zipfile.ZipFile(path, "w") as book:  # what an .xlsx is: a zip of XML parts
        book.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        book.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
    error = _refused(path)
    assert error.kind == "not_a_project_file"
    assert "spreadsheet import" in error.message


def test_a_damaged_project_xml_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "cut-short.xml"
    path.write_text(SAMPLE_XML[: len(SAMPLE_XML) // 2], encoding="utf-8")
    error = _refused(path)
    assert error.kind == "unreadable"
    assert "could not be read" in error.message
    assert "XML document structures must start and end" in error.message  # the parser's words


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plan.mpp"
    path.write_bytes(b"")
    error = _refused(path)
    assert error.kind == "empty" and "empty" in str(error)


def test_a_file_over_50_mb_is_refused_before_java_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "huge.mpp"
    with path.open("wb") as f:
        f.truncate(MAX_BYTES + 4 * 1024 * 1024 + 400 * 1024)  # sparse: no disk used
    # With no Java on the path, reaching the bridge would say "no_java", not "too_large".
    monkeypatch.setenv("PATH", "")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    error = _refused(path)
    assert error.kind == "too_large"
    assert str(error) == "The file is 54.4 MB: the most the tracker reads is 50 MB."


def test_a_read_that_takes_too_long_is_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "plan.xml"
    path.write_text(SAMPLE_XML, encoding="utf-8")
    monkeypatch.setattr(files, "READ_TIMEOUT", 0.2)  # the JVM alone takes longer to start
    error = _refused(path)
    assert error.kind == "timeout"
    assert "took longer than" in str(error)


def test_without_java_the_server_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "plan.xml"
    path.write_text(SAMPLE_XML, encoding="utf-8")
    monkeypatch.setenv("PATH", "")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    assert not java_available()
    for attempt in (lambda: read_project(path), lambda: write_mspdi(_plan())):
        with pytest.raises(ProjectFileError) as caught:
            attempt()
        assert caught.value.kind == "no_java"
        assert "Java runtime" in str(caught.value)
        assert "default-jre-headless" in str(caught.value)


def test_the_bridge_exits_2_with_one_error_object(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Minutes of the transition board\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "tracker.project_files.bridge", "read", str(path)],
        capture_output=True,
        text=True,
        timeout=files.READ_TIMEOUT,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 2
    assert json.loads(done.stdout) == {
        "error": "not_a_project_file",
        "message": bridge.NOT_A_PROJECT_FILE,
    }


def test_a_password_is_recognised_in_the_exception_or_what_it_wraps() -> None:
    # No password-protected .mpp can be made without Project; MPP9/12/14Reader raise
    # MPXJException("File is password protected") (MPXJException.PASSWORD_PROTECTED).
    wrapped = RuntimeError("Error reading file")
    wrapped.__cause__ = ValueError("File is password protected")
    assert bridge._error_kind(wrapped) == "password_protected"
    assert bridge._error_kind(RuntimeError("Invalid file format")) == "unreadable"


def test_the_bridge_module_loads_without_java() -> None:
    # Java only starts inside read() and write(): importing the module must not need it.
    code = "import sys, tracker.project_files.bridge; print('jpype' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert done.stdout.strip() == "False"
