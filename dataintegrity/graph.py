"""Reading an RDF dataset as pyld makes it: the facts a proof signed, whatever JSON spelling carried them."""

from dataclasses import dataclass

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

IRI, BLANK, LITERAL = "IRI", "blank node", "literal"


class GraphError(ValueError):
    """The graph doesn't state what a reader needs exactly once; the message says what is missing or doubled."""


@dataclass(frozen=True)
class Term:
    """One RDF term: an IRI, a blank node or a literal (with its datatype and language)."""

    kind: str
    value: str
    datatype: str = ""
    language: str = ""


def _term(component: dict) -> Term:
    """A Term from one pyld quad component."""
    kind = component.get("type")
    if kind not in (IRI, BLANK, LITERAL) or not isinstance(component.get("value"), str):
        raise GraphError("The dataset holds a term of an unknown kind.")
    if kind != LITERAL:
        return Term(kind, component["value"])
    return Term(kind, component["value"], component.get("datatype") or XSD_STRING, component.get("language") or "")


class Graph:
    """The default graph of a dataset as a set of triples, indexed by subject and predicate."""

    def __init__(self, dataset: dict):
        """Index the default graph; the names of any other graphs are kept in `named_graphs`."""
        self.named_graphs = sorted(name for name, quads in dataset.items() if name != "@default" and quads)
        self._index: dict[Term, dict[str, list[Term]]] = {}
        for quad in dataset.get("@default", []):
            subject, predicate, value = _term(quad["subject"]), _term(quad["predicate"]), _term(quad["object"])
            objects = self._index.setdefault(subject, {}).setdefault(predicate.value, [])
            if value not in objects:  # a graph is a set of triples
                objects.append(value)

    def objects(self, subject: Term, predicate: str) -> list[Term]:
        """Every object of (subject, predicate), in the order first seen."""
        return list(self._index.get(subject, {}).get(predicate, []))

    def types(self, subject: Term) -> set[str]:
        """The IRIs of the subject's rdf:type."""
        return {term.value for term in self.objects(subject, RDF_TYPE) if term.kind == IRI}

    def subjects_of_type(self, type_iri: str) -> list[Term]:
        """Every subject with that rdf:type."""
        return [subject for subject in self._index if type_iri in self.types(subject)]

    def one(self, subject: Term, predicate: str, what: str, *, kinds=(IRI, BLANK, LITERAL), datatype: str = "") -> Term:
        """The single object of (subject, predicate), of one of `kinds` (and that datatype); GraphError otherwise."""
        found = self.objects(subject, predicate)
        if len(found) != 1:
            raise GraphError(f"The signed data gives {len(found)} values for {what}, not one.")
        term = found[0]
        if term.kind not in kinds or (datatype and term.datatype != datatype) or term.language:
            raise GraphError(f"The signed data's {what} is not of the expected kind.")
        return term

    def optional(self, subject: Term, predicate: str, what: str, **expected) -> Term | None:
        """The object of (subject, predicate) when there is one, checked as one() checks it; None when there is none."""
        return self.one(subject, predicate, what, **expected) if self.objects(subject, predicate) else None
