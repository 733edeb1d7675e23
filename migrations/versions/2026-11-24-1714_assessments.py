"""Assessment procedures and their subjects (seeded), the assessment calendar, assessment results

Revision ID: 0005_assessments
Revises: 0004_indicators
Create Date: 2026-11-24 17:14:38.931480
"""

import uuid

import sqlalchemy as sa
import sqlmodel
from alembic import op

from migrations.columns import assessment_figures, entity_columns, foreign_key, timestamps

revision: str = "0005_assessments"
down_revision: str | None = "0004_indicators"

# Fixed ids (uuid5 of the code), so that every database has the same catalogue rows.
NAMESPACE = uuid.UUID("5b0c0a55-7e51-4c1d-9d57-a55e55ed0005")

# code, name, kind, gives marks 2–5
PROCEDURES = [
    ("vpr", "Всероссийские проверочные работы (ВПР)", "federal", True),
    ("oge", "Основной государственный экзамен (ОГЭ)", "federal", True),
    ("ege", "Единый государственный экзамен (ЕГЭ)", "federal", False),
    ("niko", "Национальные исследования качества образования (НИКО)", "federal", False),
    ("msi_pisa", "Международное исследование PISA", "international", False),
    ("msi_timss", "Международное исследование TIMSS", "international", False),
    ("msi_pirls", "Международное исследование PIRLS", "international", False),
    ("rdr", "Региональная диагностическая работа", "regional", True),
    ("mdr", "Муниципальная диагностическая работа", "municipal", True),
]

# Maximum primary scores of the 2022 specifications (ФИОКО for ВПР, ФИПИ for ОГЭ and ЕГЭ):
# procedure -> grade -> {subject: maximum primary score}.
SUBJECTS: dict[str, dict[int, dict[str, int]]] = {
    "vpr": {
        4: {"Русский язык": 38, "Математика": 20, "Окружающий мир": 32},
        5: {"Русский язык": 45, "Математика": 20, "История": 15, "Биология": 29},
        6: {
            "Русский язык": 51,
            "Математика": 20,
            "История": 20,
            "Биология": 32,
            "География": 37,
            "Обществознание": 23,
        },
        7: {
            "Русский язык": 47,
            "Математика": 19,
            "История": 25,
            "Биология": 28,
            "География": 37,
            "Обществознание": 23,
            "Физика": 18,
            "Английский язык": 30,
        },
        8: {
            "Русский язык": 51,
            "Математика": 25,
            "История": 24,
            "Биология": 28,
            "География": 40,
            "Обществознание": 23,
            "Физика": 18,
            "Химия": 36,
        },
    },
    "oge": {
        9: {
            "Русский язык": 33,
            "Математика": 31,
            "Физика": 45,
            "Химия": 40,
            "Биология": 48,
            "География": 31,
            "Обществознание": 37,
            "История": 37,
            "Информатика": 19,
            "Литература": 37,
            "Английский язык": 68,
        },
    },
    "ege": {
        11: {
            "Русский язык": 50,
            "Математика профильная": 31,
            "Физика": 54,
            "Химия": 56,
            "Биология": 59,
            "География": 37,
            "Обществознание": 57,
            "История": 42,
            "Информатика": 29,
            "Литература": 53,
            "Английский язык": 100,
        },
    },
}


def procedure_id(code: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, code)


def catalogue_rows() -> tuple[list[dict], list[dict]]:
    """The rows of assessment_procedure and assessment_subject this migration seeds."""
    procedures = [
        {"id": procedure_id(code), "code": code, "name": name, "kind": kind, "has_marks": marks}
        for code, name, kind, marks in PROCEDURES
    ]
    subjects = [
        {
            "id": uuid.uuid5(NAMESPACE, f"{code}:{grade}:{subject}"),
            "procedure_id": procedure_id(code),
            "subject": subject,
            "grade": grade,
            "max_primary_score": score,
        }
        for code, grades in SUBJECTS.items()
        for grade, scores in grades.items()
        for subject, score in scores.items()
    ]
    return procedures, subjects


def _subject_reference(table: str) -> sa.ForeignKeyConstraint:
    """An event's or a result's (procedure_id, subject, grade) is a row of the catalogue."""
    key = ["procedure_id", "subject", "grade"]
    return sa.ForeignKeyConstraint(
        key,
        [f"api.assessment_subject.{column}" for column in key],
        name=f"fk_{table}_subject_assessment_subject",
        ondelete="RESTRICT",
    )


def upgrade() -> None:
    procedure = op.create_table(
        "assessment_procedure",
        *entity_columns(),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("has_marks", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('federal', 'international', 'regional', 'municipal')",
            name=op.f("ck_assessment_procedure_kind"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_procedure")),
        sa.UniqueConstraint("code", name=op.f("uq_assessment_procedure_code")),
        schema="api",
    )
    subject = op.create_table(
        "assessment_subject",
        *entity_columns(),
        sa.Column("procedure_id", sa.Uuid(), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=False),
        sa.Column("max_primary_score", sa.Integer(), nullable=False),
        sa.CheckConstraint("grade BETWEEN 1 AND 11", name=op.f("ck_assessment_subject_grade")),
        sa.CheckConstraint(
            "max_primary_score > 0", name=op.f("ck_assessment_subject_max_primary_score")
        ),
        foreign_key(
            "assessment_subject", "procedure_id", "api.assessment_procedure", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_subject")),
        sa.UniqueConstraint("procedure_id", "subject", "grade", name="uq_assessment_subject_key"),
        schema="api",
    )
    op.create_table(
        "assessment_event",
        *entity_columns(),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("procedure_id", sa.Uuid(), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=False),
        sa.Column("class_label", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint("grade BETWEEN 1 AND 11", name=op.f("ck_assessment_event_grade")),
        foreign_key("assessment_event", "organization_id", "api.organization", ondelete="RESTRICT"),
        _subject_reference("assessment_event"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_event")),
        sa.UniqueConstraint(
            "organization_id",
            "event_date",
            "grade",
            "class_label",
            "procedure_id",
            "subject",
            name="uq_assessment_event_key",
            postgresql_nulls_not_distinct=True,
        ),
        schema="api",
    )
    op.create_table(
        "assessment_result",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("procedure_id", sa.Uuid(), nullable=False),
        sa.Column("year", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        *assessment_figures(),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=140), nullable=True),
        *timestamps(),
        sa.CheckConstraint("participants >= 0", name=op.f("ck_assessment_result_participants")),
        foreign_key(
            "assessment_result", "organization_id", "api.organization", ondelete="RESTRICT"
        ),
        _subject_reference("assessment_result"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_result")),
        sa.UniqueConstraint(
            "organization_id",
            "procedure_id",
            "year",
            "subject",
            "grade",
            name="uq_assessment_result_key",
        ),
        schema="api",
    )
    op.create_index(
        "ix_assessment_result_procedure_year",
        "assessment_result",
        ["procedure_id", "year"],
        unique=False,
        schema="api",
    )
    op.create_index(
        "ix_assessment_result_updated_at",
        "assessment_result",
        ["updated_at"],
        unique=False,
        schema="api",
    )
    procedures, subjects = catalogue_rows()
    op.bulk_insert(procedure, procedures)
    op.bulk_insert(subject, subjects)


def downgrade() -> None:
    op.drop_index("ix_assessment_result_updated_at", table_name="assessment_result", schema="api")
    op.drop_index(
        "ix_assessment_result_procedure_year", table_name="assessment_result", schema="api"
    )
    op.drop_table("assessment_result", schema="api")
    op.drop_table("assessment_event", schema="api")
    op.drop_table("assessment_subject", schema="api")
    op.drop_table("assessment_procedure", schema="api")
