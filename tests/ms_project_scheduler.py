"""Schedule a Project XML file as Microsoft Project would, with MPXJ's MicrosoftScheduler (an
independent critical-path scheduler that follows Project's rules), and write the dates and
slack it works out back into the file, as Project saves them:

    python tests/ms_project_scheduler.py IN.xml OUT.xml 2022-05-09T08:00

Run in its own process, as tracker/project_files/bridge.py is. Every task is scheduled as
soon as possible; a task with no work or actuals is given zero of each, as Project holds a
new task."""

from __future__ import annotations

import sys

import jpype
import mpxj  # noqa: F401 (puts MPXJ's jars on the class path)


def main(source: str, target: str, start: str) -> None:
    jpype.startJVM("-Djava.awt.headless=true", "-Dlog4j2.level=OFF", convertStrings=True)
    from java.time import LocalDateTime
    from org.mpxj import ConstraintType, Duration, TimeUnit
    from org.mpxj.cpm import MicrosoftScheduler
    from org.mpxj.reader import UniversalProjectReader
    from org.mpxj.writer import FileFormat, UniversalProjectWriter

    project = UniversalProjectReader().read(source)
    nothing = Duration.getInstance(0, TimeUnit.HOURS)
    for task in project.getTasks():
        if task.getDuration() is None:
            task.setDuration(Duration.getInstance(0, TimeUnit.DAYS))
        if task.getActualDuration() is None:
            task.setActualDuration(Duration.getInstance(0, TimeUnit.DAYS))
        if task.getRemainingDuration() is None:
            task.setRemainingDuration(task.getDuration())
        for field in ("ActualWork", "Work", "RemainingWork"):
            if getattr(task, f"get{field}")() is None:
                getattr(task, f"set{field}")(nothing)
        task.setConstraintType(ConstraintType.AS_SOON_AS_POSSIBLE)
    MicrosoftScheduler().schedule(project, LocalDateTime.parse(start))
    UniversalProjectWriter(FileFormat.MSPDI).write(project, target)


if __name__ == "__main__":
    main(*sys.argv[1:4])
