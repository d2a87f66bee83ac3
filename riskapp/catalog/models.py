"""Safety frameworks as published: versions, safety levels, dangerous capabilities and measures.

Every item belongs to exactly one framework version, so the meaning of a level never mixes
across versions. For example, an ASL in Anthropic's RSP 1.0 names a class of models together
with its measures, while in RSP 2.x it names a set of safeguards. Every item stores the URL
of the source it paraphrases and how well that source was checked.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from riskapp.accounts.models import demo_organisation_id

# Separates a framework version's slug from a measure code in a measure id,
# e.g. "anthropic-rsp-1.0:asl3-containment-weight-security".
MEASURE_ID_SEPARATOR = ":"

# Like a slug, but a dot is allowed for version numbers such as 1.0.
version_slug_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9.-]*$", _("Use lowercase letters, digits, hyphens and dots, e.g. anthropic-rsp-1.0."),
)


class Evidence(models.TextChoices):
    """Degree to which a fact was checked against its source."""

    PRIMARY = "primary", _("read in the primary text")
    SECONDARY = "secondary", _("reported by a secondary source")
    UNVERIFIED = "unverified", _("not verified against a source")


class Framework(models.Model):
    """A family of published safety policies, such as Anthropic's Responsible Scaling Policy."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    publisher = models.CharField(_("publisher"), max_length=200)

    class Meta:
        ordering = ["publisher", "name"]
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")

    def __str__(self) -> str:
        return f"{self.publisher}: {self.name}"


class FrameworkVersion(models.Model):
    """One published version of a framework; every level and measure belongs to one version."""

    class Status(models.TextChoices):
        CURRENT = "current", _("current")
        SUPERSEDED = "superseded", _("superseded")
        DRAFT = "draft", _("draft")

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="versions")
    slug = models.CharField(_("slug"), max_length=100, unique=True, validators=[version_slug_validator],
                            help_text=_("Prefix of the measure ids of this version, e.g. anthropic-rsp-1.0."))
    label = models.CharField(_("version label"), max_length=50)
    effective_date = models.DateField(_("effective date"), null=True, blank=True,
                                      help_text=_("Empty when the source gives no exact day."))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    summary = models.TextField(_("summary"))
    source_url = models.URLField(_("source URL"), max_length=500)

    class Meta:
        ordering = ["framework", "-effective_date"]
        constraints = [models.UniqueConstraint(fields=["framework", "label"], name="unique_framework_version_label")]
        verbose_name = _("framework version")
        verbose_name_plural = _("framework versions")

    def __str__(self) -> str:
        return f"{self.framework.name} {self.label}"

    def get_absolute_url(self) -> str:
        return reverse("catalog:version", args=[self.slug])


class Source(models.Model):
    """A public document that the items of a framework version paraphrase."""

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="sources")
    url = models.URLField(_("URL"), max_length=500)
    title = models.CharField(_("title"), max_length=300)
    evidence = models.CharField(_("evidence"), max_length=20, choices=Evidence.choices, default=Evidence.PRIMARY)

    class Meta:
        ordering = ["version", "pk"]
        constraints = [models.UniqueConstraint(fields=["version", "url"], name="unique_source_url_per_version")]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return self.title


class SafetyLevel(models.Model):
    """A tier of a framework version: an AI Safety Level, or a security level such as RAND SL3."""

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="levels")
    code = models.CharField(_("code"), max_length=30, help_text=_("As the framework writes it, e.g. ASL-3."))
    slug = models.SlugField(_("slug"), max_length=40, help_text=_("The code in a URL, e.g. asl-5-plus."))
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveSmallIntegerField(
        _("order"), help_text=_("Lower levels come first, and measures accumulate upwards."),
    )
    summary = models.TextField(_("summary of dangerous capabilities"))
    provisional = models.BooleanField(
        _("provisional"), default=False,
        help_text=_("The framework version only sketches this level or leaves it to be defined later."),
    )
    evidence = models.CharField(_("evidence"), max_length=20, choices=Evidence.choices, default=Evidence.PRIMARY)
    source_url = models.URLField(_("source URL"), max_length=500)

    class Meta:
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="unique_level_code_per_version"),
            models.UniqueConstraint(fields=["version", "slug"], name="unique_level_slug_per_version"),
            models.UniqueConstraint(fields=["version", "order"], name="unique_level_order_per_version"),
        ]
        verbose_name = _("safety level")
        verbose_name_plural = _("safety levels")

    def __str__(self) -> str:
        return f"{self.version} {self.code}"

    def get_absolute_url(self) -> str:
        return reverse("catalog:level", args=[self.version.slug, self.slug])


class RiskDomain(models.TextChoices):
    """Areas in which frameworks define dangerous capabilities."""

    CBRN = "cbrn", _("chemical, biological, radiological and nuclear weapons (CBRN)")
    CYBER = "cyber", _("cyber operations")
    # Anthropic's RSP 1.0 abbreviates this as ARA, which in riskapp means Adversarial Risk
    # Analysis, so the catalog never uses the abbreviation.
    AUTONOMOUS_REPLICATION = "autonomous_replication_adaptation", _("autonomous replication and adaptation")
    AI_RESEARCH = "ai_research", _("AI research and development")
    MISALIGNMENT = "misalignment", _("misalignment and undermining human control")
    MANIPULATION = "manipulation", _("harmful manipulation")
    GENERAL = "general", _("general capability")


class DangerousCapability(models.Model):
    """A capability whose presence places a model at a safety level."""

    level = models.ForeignKey(SafetyLevel, on_delete=models.CASCADE, related_name="capabilities")
    code = models.SlugField(_("code"), max_length=80)
    domain = models.CharField(_("domain"), max_length=40, choices=RiskDomain.choices)
    description = models.TextField(_("description"))
    evidence = models.CharField(_("evidence"), max_length=20, choices=Evidence.choices, default=Evidence.PRIMARY)
    source_url = models.URLField(_("source URL"), max_length=500)

    class Meta:
        ordering = ["level", "pk"]
        constraints = [models.UniqueConstraint(fields=["level", "code"], name="unique_capability_code_per_level")]
        verbose_name = _("dangerous capability")
        verbose_name_plural = _("dangerous capabilities")

    def __str__(self) -> str:
        return f"{self.level.code} {self.code}"


class Measure(models.Model):
    """A containment or deployment measure that a safety level requires.

    Measures accumulate: a level requires its own measures and those of every lower level of the
    same version, except a lower measure that a stricter one ``supersedes``.
    """

    class Kind(models.TextChoices):
        CONTAINMENT = "containment", _("containment")
        DEPLOYMENT = "deployment", _("deployment")
        # Reports, safety cases and obligations toward a regulator: neither protect weights nor gate use.
        GOVERNANCE = "governance", _("governance")

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="measures")
    level = models.ForeignKey(SafetyLevel, on_delete=models.CASCADE, related_name="measures")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    code = models.SlugField(_("code"), max_length=80,
                            help_text=_("Stable within the version; scenario files cite version-slug:code."))
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"))
    supersedes = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="superseded_by", verbose_name=_("supersedes"))
    evidence = models.CharField(_("evidence"), max_length=20, choices=Evidence.choices, default=Evidence.PRIMARY)
    source_url = models.URLField(_("source URL"), max_length=500)

    class Meta:
        ordering = ["version", "level__order", "kind", "pk"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="unique_measure_code_per_version")]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")

    def __str__(self) -> str:
        return self.measure_id

    def clean(self) -> None:
        if self.level_id is not None and self.version_id is not None and self.level.version_id != self.version_id:
            raise ValidationError({"level": _("The level must belong to the measure's framework version.")})
        if self.supersedes_id is not None and self.supersedes.version_id != self.version_id:
            raise ValidationError({"supersedes": _("A measure can only supersede a measure of the same version.")})

    @property
    def measure_id(self) -> str:
        """The id that scenario files use, e.g. anthropic-rsp-1.0:asl3-containment-weight-security."""
        return f"{self.version.slug}{MEASURE_ID_SEPARATOR}{self.code}"


class ThreatActorTier(models.Model):
    """A class of attacker by operational capacity, such as RAND's OC1 to OC5."""

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="threat_actor_tiers")
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"))
    description = models.TextField(_("description"))
    budget_usd_max = models.DecimalField(_("maximum budget (USD)"), max_digits=16, decimal_places=0,
                                         null=True, blank=True)
    duration = models.CharField(_("duration of an operation"), max_length=100, blank=True)
    team_size = models.PositiveIntegerField(_("team size (people)"), null=True, blank=True)
    countered_by = models.ForeignKey(SafetyLevel, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="countered_tiers", verbose_name=_("likely thwarted by"))
    evidence = models.CharField(_("evidence"), max_length=20, choices=Evidence.choices, default=Evidence.PRIMARY)
    source_url = models.URLField(_("source URL"), max_length=500)

    class Meta:
        ordering = ["version", "order"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="unique_actor_tier_code_per_version")]
        verbose_name = _("threat actor tier")
        verbose_name_plural = _("threat actor tiers")

    def __str__(self) -> str:
        return f"{self.version} {self.code}"


class CrosswalkGroup(models.TextChoices):
    """Rows of the approximate crosswalk: thresholds of different frameworks that address a similar risk."""

    NOVICE_CB_UPLIFT = "novice_cb_uplift", _("Uplift of novices or low-resourced groups toward chemical "
                                             "or biological weapons")
    EXPERT_CB_UPLIFT = "expert_cb_uplift", _("Uplift of experts or state programmes toward novel agents")
    CYBER = "cyber", _("Cyber offence")
    AI_RND_ACCELERATION = "ai_rnd_acceleration", _("Acceleration of AI research")
    AI_RND_AUTOMATION = "ai_rnd_automation", _("Full automation of AI research")
    MISALIGNMENT = "misalignment", _("Misalignment and undermining of human control")
    MANIPULATION = "manipulation", _("Harmful manipulation")
    SYSTEMIC_RISK_PRESUMPTION = "systemic_risk_presumption", _("Legal presumption of systemic risk")


class CapabilityThreshold(models.Model):
    """A capability that, once a model reaches it, calls for a higher safety level or named safeguards.

    A threshold that is not ``gating`` is monitored only: reaching it prompts reporting or more
    testing but requires no safeguards.
    """

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="thresholds")
    code = models.CharField(_("code"), max_length=40, help_text=_("As the framework writes it, e.g. CBRN-3."))
    slug = models.SlugField(_("slug"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"))
    domain = models.CharField(_("domain"), max_length=40, choices=RiskDomain.choices)
    description = models.TextField(_("description"))
    gating = models.BooleanField(
        _("gating"), default=True,
        help_text=_("Reaching a gating threshold requires safeguards; other thresholds are monitored only."),
    )
    provisional = models.BooleanField(
        _("provisional"), default=False,
        help_text=_("The framework version only sketches the threshold or its safeguards."),
    )
    required_level = models.ForeignKey(
        SafetyLevel, null=True, blank=True, on_delete=models.SET_NULL, related_name="thresholds",
        verbose_name=_("required safety level"),
    )
    required_measures = models.ManyToManyField(Measure, blank=True, related_name="thresholds",
                                               verbose_name=_("required safeguards"))
    crosswalk_group = models.CharField(_("crosswalk group"), max_length=40, blank=True,
                                       choices=CrosswalkGroup.choices)
    evidence = models.CharField(_("evidence"), max_length=20, choices=Evidence.choices, default=Evidence.PRIMARY)
    source_url = models.URLField(_("source URL"), max_length=500)

    class Meta:
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="unique_threshold_code_per_version"),
            models.UniqueConstraint(fields=["version", "slug"], name="unique_threshold_slug_per_version"),
        ]
        verbose_name = _("capability threshold")
        verbose_name_plural = _("capability thresholds")

    def __str__(self) -> str:
        return f"{self.version} {self.code}"

    @property
    def threshold_id(self) -> str:
        """The id that benchmark files use, e.g. anthropic-rsp-2.2:cbrn-3."""
        return f"{self.version.slug}{MEASURE_ID_SEPARATOR}{self.slug}"


class Benchmark(models.Model):
    """A dangerous-capability evaluation: what it measures, its unit, direction and valid range."""

    class Unit(models.TextChoices):
        FRACTION = "fraction", _("fraction between 0 and 1")
        RATIO = "ratio", _("ratio")
        COUNT = "count", _("count")
        MINUTES = "minutes", _("minutes")
        FLOP = "flop", _("floating-point operations")
        NORMALIZED_SCORE = "normalized_score", _("normalized score")

    class Direction(models.TextChoices):
        HIGHER_IS_MORE_CAPABLE = "higher", _("a higher score means more capability")
        LOWER_IS_MORE_CAPABLE = "lower", _("a lower score means more capability")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("what it measures"))
    domain = models.CharField(_("domain"), max_length=40, choices=RiskDomain.choices)
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices,
                                 default=Direction.HIGHER_IS_MORE_CAPABLE)
    minimum = models.FloatField(_("lowest valid score"), null=True, blank=True,
                                help_text=_("Empty when the scale has no lower bound."))
    maximum = models.FloatField(_("highest valid score"), null=True, blank=True,
                                help_text=_("Empty when the scale has no upper bound."))
    saturated = models.BooleanField(
        _("saturated"), default=False,
        help_text=_("Frontier models all score near the top, so the benchmark no longer rules anything out."),
    )
    evidence = models.CharField(_("evidence"), max_length=20, choices=Evidence.choices, default=Evidence.PRIMARY)
    source_url = models.URLField(_("source URL"), max_length=500)

    class Meta:
        ordering = ["domain", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minimum__isnull=True) | models.Q(maximum__isnull=True)
                | models.Q(minimum__lt=models.F("maximum")),
                name="benchmark_minimum_below_maximum",
            ),
        ]
        verbose_name = _("benchmark")
        verbose_name_plural = _("benchmarks")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:benchmark", args=[self.slug])


class ThresholdCriterion(models.Model):
    """The rule-out and rule-in zones of one benchmark for one capability threshold.

    A score on the less capable side of ``rule_out_bound`` rules the threshold out, one on the
    more capable side of ``rule_in_bound`` rules it in, and a score between them is inconclusive.
    Either bound may be empty when its source publishes none; with both empty the benchmark only
    informs the threshold.
    """

    benchmark = models.ForeignKey(Benchmark, on_delete=models.CASCADE, related_name="criteria")
    threshold = models.ForeignKey(CapabilityThreshold, on_delete=models.CASCADE, related_name="criteria")
    rule_out_bound = models.FloatField(_("rule-out bound"), null=True, blank=True)
    rule_out_inclusive = models.BooleanField(
        _("a score at the rule-out bound rules out"), default=False,
    )
    rule_in_bound = models.FloatField(_("rule-in bound"), null=True, blank=True)
    rule_in_inclusive = models.BooleanField(_("a score at the rule-in bound rules in"), default=True)
    note = models.TextField(_("note"), blank=True)
    evidence = models.CharField(_("evidence"), max_length=20, choices=Evidence.choices, default=Evidence.PRIMARY)
    source_url = models.URLField(_("source URL"), max_length=500)

    class Meta:
        ordering = ["threshold", "benchmark"]
        constraints = [models.UniqueConstraint(fields=["benchmark", "threshold"], name="unique_criterion")]
        verbose_name = _("threshold criterion")
        verbose_name_plural = _("threshold criteria")

    def __str__(self) -> str:
        return f"{self.benchmark} → {self.threshold}"

    @property
    def has_zones(self) -> bool:
        return self.rule_out_bound is not None or self.rule_in_bound is not None

    @property
    def rule_out_condition(self) -> str:
        """The rule-out zone as a comparison, e.g. "≤ 2.8"; empty without a bound."""
        higher = self.benchmark.direction == Benchmark.Direction.HIGHER_IS_MORE_CAPABLE
        return _comparison(self.rule_out_bound, below=higher, inclusive=self.rule_out_inclusive)

    @property
    def rule_in_condition(self) -> str:
        """The rule-in zone as a comparison, e.g. "> 0.8"; empty without a bound."""
        higher = self.benchmark.direction == Benchmark.Direction.HIGHER_IS_MORE_CAPABLE
        return _comparison(self.rule_in_bound, below=not higher, inclusive=self.rule_in_inclusive)


def _comparison(bound: float | None, *, below: bool, inclusive: bool) -> str:
    if bound is None:
        return ""
    operators = {(True, True): "≤", (True, False): "<", (False, True): "≥", (False, False): ">"}
    return f"{operators[(below, inclusive)]} {bound:g}"


class ModelProfile(models.Model):
    """A frontier model as assessed here: its evaluation results and the measures in place for it.

    The organisation owns the profile and its results, because results of an unreleased model are
    confidential. Profiles of the demo organisation restate public documents, so anyone may read them.
    """

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT,
                                     related_name="model_profiles", default=demo_organisation_id,
                                     verbose_name=_("organisation"))
    name = models.CharField(_("name"), max_length=200)
    developer = models.CharField(_("developer"), max_length=200)
    release_date = models.DateField(_("release date"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    source_url = models.URLField(_("source URL"), max_length=500,
                                 help_text=_("The system card or report the profile is built from."))
    measures_in_place = models.ManyToManyField(Measure, blank=True, related_name="model_profiles",
                                               verbose_name=_("measures in place"))

    class Meta:
        ordering = ["developer", "name"]
        verbose_name = _("model profile")
        verbose_name_plural = _("model profiles")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:profile", args=[self.slug])


class ProfileSource(models.Model):
    """A public document that a model profile's results or measures come from."""

    profile = models.ForeignKey(ModelProfile, on_delete=models.CASCADE, related_name="sources")
    url = models.URLField(_("URL"), max_length=500)
    title = models.CharField(_("title"), max_length=300)

    class Meta:
        ordering = ["profile", "pk"]
        constraints = [models.UniqueConstraint(fields=["profile", "url"], name="unique_source_url_per_profile")]
        verbose_name = _("model profile source")
        verbose_name_plural = _("model profile sources")

    def __str__(self) -> str:
        return self.title


class EvaluationResult(models.Model):
    """One score of a model profile on a benchmark, with where it was published and who entered it."""

    profile = models.ForeignKey(ModelProfile, on_delete=models.CASCADE, related_name="results",
                                verbose_name=_("model profile"))
    benchmark = models.ForeignKey(Benchmark, on_delete=models.PROTECT, related_name="results")
    score = models.FloatField(_("score"), help_text=_("In the benchmark's unit."))
    evaluated_on = models.DateField(_("date"), help_text=_("When the result was published or measured."))
    source_url = models.URLField(_("source URL"), max_length=500)
    framework_version = models.ForeignKey(
        FrameworkVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="evaluation_results",
        verbose_name=_("recorded against"),
        help_text=_("The framework version the result was produced for; empty when it applies to any."),
    )
    note = models.TextField(_("note"), blank=True, help_text=_("Elicitation, aggregation such as best of 5, caveats."))
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("entered by"))
    entered_via = models.CharField(_("entered via"), max_length=300, blank=True,
                                   help_text=_("The import file, data file or page the result came from."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["profile", "benchmark", "-evaluated_on"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "benchmark", "evaluated_on", "source_url"],
                                    name="unique_evaluation_result"),
        ]
        verbose_name = _("evaluation result")
        verbose_name_plural = _("evaluation results")

    def __str__(self) -> str:
        return f"{self.profile} {self.benchmark}: {self.score:g}"
