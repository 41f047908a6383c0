"""Every COMMUNIQUE_* variable is a field of config.Settings, read where the stage needs it."""

import pytest

from communique.attribution import tagger
from communique.config import ConfigError, Settings
from communique.parallel import default_workers


def test_each_variable_is_a_settings_field(monkeypatch, tmp_path):
    monkeypatch.setenv("COMMUNIQUE_WORKERS", "3")
    monkeypatch.setenv("COMMUNIQUE_TRAIN_THREADS", "2")
    monkeypatch.setenv("COMMUNIQUE_API_TOKEN", "secret")
    monkeypatch.setenv("COMMUNIQUE_DEBUG", "1")
    monkeypatch.setenv("COMMUNIQUE_ATTRIBUTION_TAGGER", "off")
    monkeypatch.setenv("COMMUNIQUE_ATTRIBUTION_MODEL", str(tmp_path))
    settings = Settings()
    assert (settings.workers, settings.train_threads, settings.api_token, settings.debug) == (3, 2, "secret", True)
    assert settings.attribution_tagger is False and settings.attribution_model == tmp_path
    # the stages read the same object
    assert default_workers() == 3
    assert tagger.enabled() is False and tagger.model_path() == tmp_path


def test_defaults_without_the_environment(monkeypatch):
    for name in ("WORKERS", "TRAIN_THREADS", "API_TOKEN", "DEBUG", "ATTRIBUTION_TAGGER", "ATTRIBUTION_MODEL"):
        monkeypatch.delenv(f"COMMUNIQUE_{name}", raising=False)
    settings = Settings()
    assert settings.workers is None and settings.train_threads == 1 and settings.api_token is None
    assert settings.attribution_tagger is True and tagger.model_path() == tagger.MODEL_DIR
    assert default_workers() >= 1


@pytest.mark.parametrize("value", ["0", "two", "-1"])
def test_a_bad_worker_count_is_one_line_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv("COMMUNIQUE_WORKERS", value)
    with pytest.raises(ConfigError, match="COMMUNIQUE_WORKERS="):
        Settings()
