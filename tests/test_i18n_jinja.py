"""The templates' gettext callables (monitor.i18n.install_jinja): plurals with parameters
besides the count, escaped, in both languages. Values are variables, never literals: Jinja
folds calls on constants at compile time, which would hide what rendering does."""

from __future__ import annotations

import jinja2
import pytest

from monitor.i18n import install_jinja, use_locale

PLURAL = ('{{ ngettext("From %(num)s sample: %(list)s.", "From %(num)s samples: %(list)s.", n, list=what) }}')


@pytest.fixture
def env() -> jinja2.Environment:
    env = jinja2.Environment(autoescape=True)
    install_jinja(env)
    return env


@pytest.mark.parametrize("n,english,chinese", [
    (1, "From 1 sample: &lt;b&gt;A&amp;B&lt;/b&gt;.", "数据来自1次抽查：&lt;b&gt;A&amp;B&lt;/b&gt;。"),
    (3, "From 3 samples: &lt;b&gt;A&amp;B&lt;/b&gt;.", "数据来自3次抽查：&lt;b&gt;A&amp;B&lt;/b&gt;。"),
])
def test_ngettext_fills_named_parameters_besides_the_count_and_escapes_them(env, n, english, chinese):
    template = env.from_string(PLURAL)
    with use_locale("en"):
        assert template.render(n=n, what="<b>A&B</b>") == english
    with use_locale("zh_CN"):
        assert template.render(n=n, what="<b>A&B</b>") == chinese


def test_a_message_without_a_translation_keeps_its_english_with_its_parameters(env):
    template = env.from_string('{{ ngettext("%(num)d listing in %(site)s", "%(num)d listings in %(site)s", n, '
                               'site=s) }}')
    with use_locale("zh_CN"):
        assert template.render(n=2, s="shop<a>") == "2 listings in shop&lt;a&gt;"
        assert template.render(n=1, s="shop") == "1 listing in shop"


def test_gettext_and_pgettext_fill_parameters_once(env):
    # A percent sign written %% comes out once: the parameters are filled a single time.
    template = env.from_string('{{ _("%(n)s%% of %(what)s", n=n, what=w) }} {{ pgettext("unit", "listing") }}')
    with use_locale("en"):
        assert template.render(n=40, w="<i>") == "40% of &lt;i&gt; listing"
