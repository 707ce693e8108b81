"""EU-funded projects with participants in Västerbotten, from Tillväxtverket's published
records, into ``graph/eu-projects`` (EURIO, the EU's project ontology).

Read from ``eu-participations-vasterbotten.csv`` in ``POLICYKG_EU_PROJECTS``
(default ``../shared/data/links/eu-projects``): 143 participations in Interreg
2021-2027 (Tillväxtverket's data on Swedish partners) and 72 projects of the ERDF
2014-2020 project bank, one row each. Neither source publishes IRIs, so the
records get ours:

* the project, ``BASE/eu-project/SOURCE/ID`` (the ERDF case id; an Interreg project,
  which has none in the source, by its programme and title), a ``eurio:Project``
  with its title, dates, programme and (ERDF) its id as an identifier;
* the organisation as the records name it, ``BASE/eu-participant/NAME`` (names that
  differ only in case or accents are one participant), a ``eurio:Organisation``;
* its participation, ``PROJECT/participant/NAME``, a ``eurio:OrganisationRole``
  with its role, amount and ``prov:wasDerivedFrom`` the row of the file.

Which of our organisations a participant is, is a reviewed link (``policykg link
eu-projects``, ``registries/umea/mappings/eu-projects.sssom.tsv``), not a guess here.
The Interreg figures are, as the publisher says, not official statistics.
"""

from __future__ import annotations

import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

from policykg.config import Settings
from policykg.namespaces import DCT, EURIO, NUTS, PROV, RDF, RDFS, TILLVAXTVERKET, TILLVAXTVERKET_PROJECT_BANK, XSD

from ..errors import InputError, Problem
from ..registry import source_file_iri
from ..sources import ReadResult, Source
from . import common
from .common import Publisher, Quads

PARTICIPATIONS = "eu-participations-vasterbotten.csv"
COLUMNS = ("source", "programme", "programming_period", "fund", "project_id", "project_title", "start_date", "end_date",
           "participant_name", "participant_role", "amount", "amount_currency", "amount_meaning", "nuts3_code")
PUBLISHER = Publisher(
    TILLVAXTVERKET_PROJECT_BANK,
    "EU-funded projects in Västerbotten: Interreg 2021-2027 Swedish partners and the ERDF 2014-2020 project bank (Tillväxtverket)",
    "EU-finansierade projekt i Västerbotten: svenska partner i Interreg 2021-2027 och projektbanken för Regionalfonden 2014-2020 (Tillväxtverket)",
    homepage=TILLVAXTVERKET,
    licence=None,  # neither republished file states a licence
    attribution="Tillväxtverket: projektbanken (ERDF 2014-2020) and data on Swedish partners in Interreg 2021-2027 "
                "(compilations, not official statistics); via os-data/eu-structural-funds and bjoottG/interregbarometern",
)
ROLES = {"LP": "lead partner", "PP": "project partner", "AP": "associated partner", "beneficiary": "beneficiary"}


def read_participations(path: Path, settings: Settings) -> tuple[Quads, dict[str, int]]:
    iris = settings.iris
    out = Quads()
    graph = iris.graph("eu-projects")
    projects: set[str] = set()
    participants: set[str] = set()
    problems = []
    count = 0
    for line, row in common.csv_rows(path, COLUMNS):
        count += 1
        source, name = row["source"], row["participant_name"]
        key = row["project_id"] or f"{row['programme']}-{row['project_title']}"
        if not (source and name and row["project_title"] and key):
            problems.append(Problem(str(path), "a participation needs its source, project and participant", line=line))
            continue
        project = iris.eu_project(source, key)
        if project not in projects:
            projects.add(project)
            out.add(project, str(RDF.type), str(EURIO.Project))
            out.text(project, str(EURIO.title), row["project_title"])
            for column, prop in (("start_date", EURIO.startDate), ("end_date", EURIO.endDate)):
                if row[column]:
                    out.add(project, str(prop), common.literal(row[column], datatype=str(XSD.date)))
            programme = iris.eu_programme(source, row["programme"])
            out.add(project, str(EURIO.hasAssociatedFundingScheme), programme)
            out.add(programme, str(RDF.type), str(EURIO.FundingScheme))
            out.text(programme, str(EURIO.title), f"{row['programme']} ({row['fund']} {row['programming_period']})")
            if row["project_id"]:
                out.identifier(project, "eu-project", row["project_id"])
            if source.startswith("erdf"):
                out.add(project, str(DCT.source), TILLVAXTVERKET_PROJECT_BANK)
        participant = iris.eu_participant(name)
        if participant not in participants:
            participants.add(participant)
            out.add(participant, str(RDF.type), str(EURIO.Organisation))
        out.text(participant, str(EURIO.legalName), name)
        role = f"{project}/participant/{participant.rsplit('/', 1)[-1]}"
        out.add(role, str(RDF.type), str(EURIO.OrganisationRole))
        out.add(role, str(EURIO.isRoleOf), participant)
        out.add(role, str(EURIO.isInvolvedIn), project)
        out.add(project, str(EURIO.hasInvolvedParty), role)
        out.text(role, str(EURIO.roleLabel), ROLES.get(row["participant_role"], row["participant_role"]), "en")
        if row["nuts3_code"]:
            out.add(role, str(DCT.spatial), str(NUTS[row["nuts3_code"]]))
        if row["amount"]:
            amount = f"{role}/amount"
            try:
                value = format(Decimal(row["amount"]), "f")
            except InvalidOperation:
                problems.append(Problem(str(path), "not an amount", line=line, column="amount", value=row["amount"]))
                continue
            out.add(role, str(EURIO.hasFundingAmount), amount)
            out.add(amount, str(RDF.type), str(EURIO.MonetaryAmount))
            out.add(amount, str(EURIO.value), common.literal(value, datatype=str(XSD.decimal)))
            out.add(amount, str(EURIO.currency), common.literal(row["amount_currency"]))
            out.text(amount, str(RDFS.comment), row["amount_meaning"], "en")
        out.add(role, str(PROV.wasDerivedFrom), f"{source_file_iri(graph, path.name)}#row={line}")
    if problems:
        raise InputError(problems)
    return out, {"rows": count, "projects": len(projects), "participants": len(participants)}


def eu_projects_source(settings: Settings, notes: list[str]) -> Source | None:
    """The source of ``graph/eu-projects``, or None (with a note) when its file is not there."""
    directory = common.locate(settings, "eu_projects", (PARTICIPATIONS,), "EU project records", notes)
    if directory is None:
        return None

    def read(paths: list[Path], settings: Settings) -> ReadResult:
        out, counts = read_participations(paths[0], settings)
        quads = out.items + common.describe_graph(settings.iris.graph("eu-projects"), PUBLISHER)
        return ReadResult(quads, rows={paths[0].name: counts["rows"]},
                          note=f"eu-projects: {counts['rows']} participations in {counts['projects']} projects "
                               f"of {counts['participants']} organisations from {paths[0].name}")

    return Source(
        "eu-projects",
        "EU-funded projects in Västerbotten and their participants (Tillväxtverket's records)",
        "EU-finansierade projekt i Västerbotten och deras deltagare (Tillväxtverkets uppgifter)",
        (directory / PARTICIPATIONS,),
        read,
        modules=(common, sys.modules[__name__]),
    )
