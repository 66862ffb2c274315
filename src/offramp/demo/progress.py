"""Progress bars for the CLI, fed by the (stage, done, total) callbacks of long jobs."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from io import TextIOBase

from tqdm import tqdm


@contextmanager
def progress_bar(description: str, stream: TextIOBase) -> Iterator[Callable[[str, int, int], None]]:
    bar = tqdm(total=1, desc=description, unit="step", file=stream, leave=True)

    def report(stage: str, done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.set_postfix_str(stage)
        bar.refresh()

    try:
        yield report
    finally:
        bar.close()
