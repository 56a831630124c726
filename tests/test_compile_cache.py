"""The compiled-spec cache: same results as compiling, private to the user, missed when the spec changes."""

from __future__ import annotations

import stat

from conftest import SPECS, run_specc

EXAMPLE = str(SPECS / "examples" / "lanes.json")


def test_cached_runs_give_the_same_findings_and_edits_miss_the_cache(tmp_path) -> None:
    cache = tmp_path / "cache"
    spec = tmp_path / "lanes.spec"
    spec.write_text((SPECS / "lanes.spec").read_text())
    env = {"SPECDSL_CACHE_DIR": str(cache)}
    first = run_specc("check", str(spec), EXAMPLE, "--format", "json", env=env)
    second = run_specc("check", str(spec), EXAMPLE, "--format", "json", env=env)
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert len(list(cache.glob("*.pickle"))) == 1
    spec.write_text(spec.read_text().replace("require length >= 10", "require lenght >= 10"))
    broken = run_specc("check", str(spec), EXAMPLE, env=env)
    assert broken.returncode == 2
    assert "did you mean 'length'?" in broken.stderr


def test_no_cache_writes_nothing(tmp_path) -> None:
    cache = tmp_path / "cache"
    proc = run_specc("check", str(SPECS / "lanes.spec"), EXAMPLE,
                     env={"SPECDSL_CACHE_DIR": str(cache), "SPECDSL_NO_CACHE": "1"})
    assert proc.returncode == 0
    assert not cache.exists()
