"""Expert elicitation workshops on a scenario revision: questions, rounds, participants, judgements, pooling.

A facilitator opens a ``Workshop`` on one ``ScenarioRevision`` and asks ``Question``s about its
parameters. Experts join without an account as anonymous ``Participant``s (E1, E2, …) and give
one ``Judgement`` per question in each ``Round``. Rounds follow the Delphi and IDEA protocols
(https://doi.org/10.1111/2041-210X.12857): private estimates, a reveal of the anonymised spread,
a private revision in the next round. A ``Pooling`` stores a mathematical aggregate of one round
and, once applied, the scenario revision and assessment made from it.

Rows are only added or moved forward: judgements of a round that is no longer open, poolings
and their provenance are never changed.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# Join codes avoid letters and digits that read alike (0/O, 1/I/L, 2/Z, 5/S, 8/B, U/V).
CODE_ALPHABET = "34679ACDEFGHJKMNPQRTWXY"
CODE_LENGTH = 8


class Workshop(models.Model):
    """One elicitation session on a scenario revision, run by a facilitator of the scenario's organisation."""

    revision = models.ForeignKey(
        "scenarios.ScenarioRevision", on_delete=models.PROTECT, related_name="workshops",
        verbose_name=_("scenario revision"),
        help_text=_("The revision whose document the questions were taken from; pooled values are applied to the "
                    "scenario's latest revision."))
    title = models.CharField(_("title"), max_length=200)
    instructions = models.TextField(
        _("instructions"), blank=True, help_text=_("Text shown to every participant above the questions."))
    code = models.CharField(
        _("join code"), max_length=CODE_LENGTH, unique=True,
        help_text=_("Short random code from an unambiguous alphabet that participants type or follow as a link "
                    "to join."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("facilitator"), help_text=_("The user who opened the workshop."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("workshops:dashboard", args=[self.pk])

    @property
    def organisation(self):
        return self.revision.scenario.organisation


class Question(models.Model):
    """One quantity that the experts judge: a matrix cell, a probability or an IDEA four-step interval.

    ``target`` with ``defense_id``, ``attack_id`` and ``outcome_id`` names the place in the
    scenario document that a pooled answer replaces; the ids that the target does not use are blank.
    """

    class Kind(models.TextChoices):
        MATRIX_CELL = "matrix_cell", _("risk-matrix cell")
        PROBABILITY = "probability", _("probability")
        INTERVAL = "interval", _("four-step interval")

    class Target(models.TextChoices):
        RATING = "rating", _("risk-matrix rating of an attack under a defense")
        ATTEMPT_PROBABILITY = "attempt_probability", _("attempt probability of an attack")
        OUTCOME_PROBABILITY = "outcome_probability", _("p(outcome | defense, attack)")
        DEFENDER_LOSS = "defender_loss", _("defender loss of an outcome")
        ATTACKER_GAIN = "attacker_gain", _("attacker gain of an outcome")
        ATTACK_COST = "attack_cost", _("attacker's cost of an attack")
        DEFENSE_COST = "defense_cost", _("cost of a defense")

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"), help_text=_("Order on the forms, from 1."))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    target = models.CharField(_("target"), max_length=30, choices=Target.choices)
    defense_id = models.CharField(_("defense id"), max_length=100, blank=True)
    attack_id = models.CharField(_("attack id"), max_length=100, blank=True)
    outcome_id = models.CharField(_("outcome id"), max_length=100, blank=True)
    text = models.CharField(
        _("question text"), max_length=500,
        help_text=_("The question as participants read it, built from the names in the revision."))
    options = models.JSONField(
        _("options"), default=dict, blank=True,
        help_text=_("For a matrix cell, the band labels {\"likelihood\": [...], \"consequence\": [...]} from the "
                    "lowest band up; for a number, {\"lower_bound\": x or null, \"upper_bound\": y or null}, the "
                    "range that the scenario format allows."))
    current_value = models.JSONField(
        _("value in the revision"), null=True, blank=True,
        help_text=_("The value that the workshop's revision holds for the target, as written in its document "
                    "(a band pair for a matrix cell, a number or an attacker distribution), null when absent."))

    class Meta:
        ordering = ["workshop", "position"]
        constraints = [
            models.UniqueConstraint(fields=["workshop", "position"], name="unique_question_position"),
            models.UniqueConstraint(fields=["workshop", "kind", "target", "defense_id", "attack_id", "outcome_id"],
                                    name="unique_question_target"),
        ]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return f"Q{self.position}: {self.text}"

    @property
    def key(self) -> str:
        """Return a stable text key of the question within its workshop, such as ``interval:defender_loss::o1``."""
        ids = [part for part in (self.defense_id, self.attack_id, self.outcome_id) if part]
        return f"{self.kind}:{self.target}:{'/'.join(ids)}"


class Round(models.Model):
    """One elicitation round: open (answers accepted), closed (frozen), revealed (spread shown to everyone)."""

    class State(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")
        REVEALED = "revealed", _("revealed")

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("round number"), help_text=_("1 for the first round."))
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.OPEN)
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    revealed_at = models.DateTimeField(_("revealed at"), null=True, blank=True)

    class Meta:
        ordering = ["workshop", "number"]
        constraints = [
            models.UniqueConstraint(fields=["workshop", "number"], name="unique_round_number"),
            # Answers go to the workshop's one open round, so there is never more than one.
            models.UniqueConstraint(fields=["workshop"], condition=Q(state="open"), name="one_open_round"),
        ]
        verbose_name = _("round")
        verbose_name_plural = _("rounds")

    def __str__(self) -> str:
        return f"{self.workshop} round {self.number}"

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN

    @property
    def is_revealed(self) -> bool:
        return self.state == self.State.REVEALED


class Participant(models.Model):
    """An anonymous expert in one workshop, known only by the label E1, E2, … in the order of joining.

    The participant's browser keeps a random secret token in its session. The database stores only
    the token's SHA-256 digest, so neither the label nor the row id can stand in for the token.
    """

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="participants")
    number = models.PositiveSmallIntegerField(_("number"), help_text=_("1 for the first participant to join."))
    label = models.CharField(_("label"), max_length=10,
                             help_text=_("The anonymous label shown to everyone: E<number>."))
    token_digest = models.CharField(
        _("token digest"), max_length=64, unique=True,
        help_text=_("Hex SHA-256 digest of the secret token kept in the participant's session."))
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)
    left_at = models.DateTimeField(
        _("left at"), null=True, blank=True,
        help_text=_("Set when the participant left: their judgements stay, and they cannot answer again."))

    class Meta:
        ordering = ["workshop", "number"]
        constraints = [
            models.UniqueConstraint(fields=["workshop", "number"], name="unique_participant_number"),
            models.UniqueConstraint(fields=["workshop", "label"], name="unique_participant_label"),
        ]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return f"{self.label} in {self.workshop}"

    @property
    def has_left(self) -> bool:
        return self.left_at is not None


class Judgement(models.Model):
    """One participant's answer to one question in one round; editable only while the round is open.

    Which value fields are set depends on the question's kind: the two band indexes for a matrix
    cell, ``value`` for a probability, and ``low``, ``high``, ``best`` and ``confidence`` for a
    four-step interval. The others are null.
    """

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="judgements")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="judgements")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="judgements")
    likelihood = models.PositiveSmallIntegerField(
        _("likelihood band"), null=True, blank=True,
        help_text=_("Index of the likelihood band in the question's options, 0 for the lowest."))
    consequence = models.PositiveSmallIntegerField(
        _("consequence band"), null=True, blank=True,
        help_text=_("Index of the consequence band in the question's options, 0 for the lowest."))
    value = models.FloatField(_("probability"), null=True, blank=True, help_text=_("A probability in [0, 1]."))
    low = models.FloatField(_("lowest plausible value"), null=True, blank=True)
    high = models.FloatField(_("highest plausible value"), null=True, blank=True)
    best = models.FloatField(_("best guess"), null=True, blank=True)
    confidence = models.FloatField(
        _("confidence"), null=True, blank=True,
        help_text=_("The expert's probability, as a fraction in (0, 1], that the true value lies between the "
                    "lowest and highest plausible values; forms ask for it in percent."))
    rationale = models.TextField(
        _("rationale"), blank=True,
        help_text=_("The expert's reasons; required when the answer lies outside the interquartile range of the "
                    "previous revealed round."))
    outside_group_iqr = models.BooleanField(
        _("outside the group's interquartile range"), default=False,
        help_text=_("True when a compared value (band, probability or best guess) lay outside the interquartile "
                    "range of the previous revealed round, which makes the rationale required."))
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["round", "question", "participant"]
        constraints = [
            models.UniqueConstraint(fields=["round", "question", "participant"], name="unique_judgement"),
        ]
        verbose_name = _("judgement")
        verbose_name_plural = _("judgements")

    def __str__(self) -> str:
        return f"{self.participant.label} on Q{self.question.position} in round {self.round.number}"


class Pooling(models.Model):
    """A mathematical aggregate of one closed or revealed round, and what was made from it.

    A pooling is stored when the facilitator previews it; applying it sets ``revision`` (the new
    scenario revision) and ``assessment``. Its fields are the provenance of the pooled values.
    """

    class Method(models.TextChoices):
        EQUAL_LINEAR = "equal_linear", _("equal-weight linear pool")
        WEIGHTED_LINEAR = "weighted_linear", _("weighted linear pool")
        QUANTILE_AVERAGE = "quantile_average", _("quantile averaging")

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="poolings")
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    weights = models.JSONField(
        _("weights"), default=dict,
        help_text=_("Normalised weight per participant label, {\"E1\": 0.5, …}, summing to 1 over the "
                    "participants who answered at least one question; equal for the equal-weight pool."))
    values = models.JSONField(
        _("pooled values"), default=list,
        help_text=_("One entry per question in position order: question id, key, kind, target, ids, respondent "
                    "labels and count, and the pooled result (median bands, a pooled probability, or the pooled "
                    "distribution's mean, median, quantiles and scenario value)."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revision = models.OneToOneField(
        "scenarios.ScenarioRevision", null=True, blank=True, on_delete=models.PROTECT, related_name="pooling",
        verbose_name=_("new revision"),
        help_text=_("The scenario revision that holds the pooled values, once applied."))
    base_revision = models.ForeignKey(
        "scenarios.ScenarioRevision", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("base revision"), help_text=_("The latest revision that the pooled values were applied to."))
    assessment = models.ForeignKey(
        "assessments.Assessment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text=_("The assessment of the new revision with every engine, started when the pooling was applied."))
    provenance = models.TextField(
        _("provenance"), blank=True,
        help_text=_("The comment stored on the new revision: workshop, round, method and weights."))
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("pooling")
        verbose_name_plural = _("poolings")

    def __str__(self) -> str:
        return f"{self.get_method_display()} of {self.round}"

    def get_absolute_url(self) -> str:
        return reverse("workshops:pooling", args=[self.round.workshop_id, self.pk])
