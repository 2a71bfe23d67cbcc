"""
A minimal RegTAP 1.1-style harvester for DaCHS' own OAI-PMH endpoint
(voagent testbed; adapted from the reference recipe in ../shared/dachs/rr).

Used as a dispatching customGrammar by rr/q.rd: it fetches
ListRecords (metadataPrefix=ivo_vor) from the local publishing registry
(or from a URL given as the source token) and yields (role, row) pairs
for the rr.* tables, following the RegTAP 1.1 mapping rules where that
was cheap (lower-casing of ivoids/controlled values, canonical xsi:type
prefixes, '#'-joined multi-values, 1-based indices).

Not covered: rr.validation, rr.stc_spatial/temporal/spectral,
rr.alt_identifier details beyond the plain list.
"""

import datetime
import urllib.parse
import urllib.request

from lxml import etree

from gavo import base
from gavo.grammars.customgrammar import CustomRowIterator

OAI = "{http://www.openarchives.org/OAI/2.0/}"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"

CANONICAL_PREFIXES = {
	"http://www.ivoa.net/xml/VOResource/v1.0": "vr",
	"http://www.ivoa.net/xml/VORegistry/v1.0": "vg",
	"http://www.ivoa.net/xml/VODataService/v1.0": "vs",
	"http://www.ivoa.net/xml/VODataService/v1.1": "vs",
	"http://www.ivoa.net/xml/ConeSearch/v1.0": "cs",
	"http://www.ivoa.net/xml/SIA/v1.0": "sia",
	"http://www.ivoa.net/xml/SIA/v1.1": "sia",
	"http://www.ivoa.net/xml/SSA/v0.4": "ssa",
	"http://www.ivoa.net/xml/SSA/v1.0": "ssa",
	"http://www.ivoa.net/xml/SSA/v1.1": "ssa",
	"http://www.ivoa.net/xml/TAPRegExt/v1.0": "tr",
	"http://www.ivoa.net/xml/StandardsRegExt/v1.0": "vstd",
	"http://www.ivoa.net/xml/DocRegExt/v1": "doc",
	"http://www.ivoa.net/xml/SLAP/v1.0": "slap",
}

# Identifiers of real VO services the testbed's catalogues stand in for:
# harvested as alternate identifiers (rr.alt_identifier, lower-cased) of
# the local cone searches, so that voagent's default configuration
# (catalogues by IVOA identifier, resolved through the Registry) resolves
# to the testbed when IVOA_REGISTRY points here. Keep in step with
# internal/testbed (Info.Mirrors). There is no Gaia-like catalogue: SDSS,
# the optical one, stands in for Gaia DR3.
STAND_INS = {
	"ivo://voagent.test/twomass/q/cone": ["ivo://CDS.VizieR/II/246"],
	"ivo://voagent.test/allwise/q/cone": ["ivo://CDS.VizieR/II/328"],
	"ivo://voagent.test/sdss/q/cone": ["ivo://CDS.VizieR/I/355"],
}

COLUMNS = {
	"resource": "ivoid res_type created short_name res_title content_level"
		" res_description reference_url creator_seq content_type source_format"
		" source_value res_version region_of_regard waveband rights rights_uri"
		" harvested_from harvested_on updated",
	"capability": "ivoid cap_index cap_name cap_type cap_description"
		" standard_id",
	"interface": "ivoid cap_index intf_index intf_type intf_role std_version"
		" query_type result_type wsdl_url url_use access_url mirror_url"
		" authenticated_only security_method_id",
	"intf_param": "ivoid intf_index name ucd unit utype std extended_schema"
		" extended_type arraysize delim param_description type_system datatype",
	"res_subject": "ivoid res_subject",
	"res_role": "ivoid role_name role_ivoid street_address email telephone"
		" logo base_role role_index",
	"res_date": "ivoid date_value value_role",
	"res_detail": "ivoid cap_index detail_xpath detail_value",
	"relationship": "ivoid relationship_type related_id related_name",
	"alt_identifier": "ivoid alt_identifier",
	"res_schema": "ivoid schema_index schema_description schema_name"
		" schema_title schema_utype",
	"res_table": "ivoid schema_index table_description table_name"
		" table_index table_title table_type table_utype nrows",
	"table_column": "ivoid table_index name ucd unit utype datatype"
		" extended_schema extended_type arraysize delim type_system flag"
		" description",
}
COLUMNS = dict((k, v.split()) for k, v in COLUMNS.items())


def local(el):
	return etree.QName(el).localname


def kids(el, name):
	"""children of el with local name name (VOResource children are
	unqualified, but let's not depend on that)."""
	return [c for c in el if isinstance(c.tag, str) and local(c)==name]


def text(el, name=None):
	if el is None:
		return None
	if name is not None:
		found = kids(el, name)
		if not found:
			return None
		el = found[0]
	val = (el.text or "").strip()
	return val or None


def texts(el, name):
	return [t for t in ((c.text or "").strip() for c in kids(el, name)) if t]


def hashjoin(vals, lower=False):
	vals = [v.lower() if lower else v for v in vals if v]
	return "#".join(vals) if vals else None


def canonicalType(el):
	"""returns el's xsi:type with a RegTAP canonical prefix, lowercased."""
	val = el.get(XSI_TYPE)
	if not val:
		return None
	if ":" in val:
		prefix, name = val.split(":", 1)
		ns = el.nsmap.get(prefix)
		prefix = CANONICAL_PREFIXES.get(ns, prefix)
		return ("%s:%s"%(prefix, name)).lower()
	return val.lower()


def parseDate(val):
	if not val:
		return None
	val = val.strip().rstrip("Z")
	for fmt in ["%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"]:
		try:
			return datetime.datetime.strptime(val, fmt)
		except ValueError:
			pass
	return None


def row(role, **kwargs):
	res = dict.fromkeys(COLUMNS[role])
	res.update(kwargs)
	return role, res


def iterDetails(el, ivoid, capIndex, prefix, skip=("interface",)):
	"""yields res_detail rows for leaf elements and attributes below el."""
	for attName, attVal in el.attrib.items():
		if attName.startswith("{"):
			continue
		if prefix.count("/")>1 and attVal.strip():
			yield row("res_detail", ivoid=ivoid, cap_index=capIndex,
				detail_xpath="%s/@%s"%(prefix, attName), detail_value=attVal.strip())
	for child in el:
		if not isinstance(child.tag, str) or local(child) in skip:
			continue
		path = "%s/%s"%(prefix, local(child))
		if (child.text or "").strip() and not len(child):
			yield row("res_detail", ivoid=ivoid, cap_index=capIndex,
				detail_xpath=path, detail_value=child.text.strip())
		yield from iterDetails(child, ivoid, capIndex, path, skip=())


def iterResourceRows(res, harvestedFrom, harvestedOn):
	ivoid = text(res, "identifier").lower()
	content = (kids(res, "content") or [None])[0]
	curation = (kids(res, "curation") or [None])[0]
	coverage = (kids(res, "coverage") or [None])[0]
	rights = kids(res, "rights")

	source = kids(content, "source") if content is not None else []
	yield row("resource",
		ivoid=ivoid,
		res_type=canonicalType(res),
		created=parseDate(res.get("created")),
		updated=parseDate(res.get("updated")),
		short_name=text(res, "shortName"),
		res_title=text(res, "title"),
		res_description=text(content, "description"),
		reference_url=text(content, "referenceURL"),
		content_level=hashjoin(texts(content, "contentLevel"), True)
			if content is not None else None,
		content_type=hashjoin(texts(content, "type"), True)
			if content is not None else None,
		source_format=source[0].get("format") if source else None,
		source_value=text(source[0]) if source else None,
		creator_seq="; ".join(text(c, "name") or "" for c in
			kids(curation, "creator")) or None if curation is not None else None,
		res_version=text(curation, "version"),
		region_of_regard=float(text(coverage, "regionOfRegard"))
			if coverage is not None and text(coverage, "regionOfRegard")
			else None,
		waveband=hashjoin(texts(coverage, "waveband"), True)
			if coverage is not None else None,
		rights=hashjoin([text(r) for r in rights]),
		rights_uri=hashjoin([r.get("rightsURI") for r in rights]),
		harvested_from=harvestedFrom,
		harvested_on=harvestedOn)

	for alt in texts(res, "altIdentifier"):
		yield row("alt_identifier", ivoid=ivoid, alt_identifier=alt)
	for alt in STAND_INS.get(ivoid, []):
		yield row("alt_identifier", ivoid=ivoid, alt_identifier=alt.lower())

	if content is not None:
		for subj in texts(content, "subject"):
			yield row("res_subject", ivoid=ivoid, res_subject=subj)
		for rel in kids(content, "relationship"):
			relType = text(rel, "relationshipType")
			for rr in kids(rel, "relatedResource"):
				yield row("relationship", ivoid=ivoid,
					relationship_type=relType.lower() if relType else None,
					related_id=(rr.get("ivo-id") or "").lower() or None,
					related_name=text(rr))

	if curation is not None:
		for baseRole in ["publisher", "creator", "contributor", "contact"]:
			for index, el in enumerate(kids(curation, baseRole)):
				nameEl = el if baseRole in ("publisher", "contributor") else (
					kids(el, "name") or [None])[0]
				yield row("res_role", ivoid=ivoid,
					role_name=text(nameEl),
					role_ivoid=((nameEl.get("ivo-id") if nameEl is not None else None)
						or "").lower() or None,
					street_address=text(el, "address"),
					email=text(el, "email"),
					telephone=text(el, "telephone"),
					logo=text(el, "logo"),
					base_role=baseRole,
					role_index=index+1)
		for d in kids(curation, "date"):
			yield row("res_date", ivoid=ivoid, date_value=parseDate(text(d)),
				value_role=(d.get("role") or "representative").lower())

	# resource-level res_detail (a few well-known paths)
	for name in ["facility", "instrument"]:
		for el in kids(res, name):
			if text(el):
				yield row("res_detail", ivoid=ivoid, detail_xpath="/"+name,
					detail_value=text(el))
			if el.get("ivo-id"):
				yield row("res_detail", ivoid=ivoid, detail_xpath="/%s/@ivo-id"%name,
					detail_value=el.get("ivo-id"))
	for name in ["managedAuthority", "managingOrg", "full"]:
		for val in texts(res, name):
			yield row("res_detail", ivoid=ivoid, detail_xpath="/"+name,
				detail_value=val)
	if coverage is not None:
		for fp in kids(coverage, "footprint"):
			yield row("res_detail", ivoid=ivoid, detail_xpath="/coverage/footprint",
				detail_value=text(fp))

	# capabilities and interfaces
	intfIndex = 0
	for capIndex, cap in enumerate(kids(res, "capability"), 1):
		yield row("capability", ivoid=ivoid, cap_index=capIndex,
			cap_type=canonicalType(cap),
			cap_description=text(cap, "description"),
			standard_id=(cap.get("standardID") or "").lower() or None)
		yield from iterDetails(cap, ivoid, capIndex, "/capability")

		for intf in kids(cap, "interface"):
			intfIndex += 1
			urls = kids(intf, "accessURL")
			secMeth = kids(intf, "securityMethod")
			yield row("interface", ivoid=ivoid, cap_index=capIndex,
				intf_index=intfIndex,
				intf_type=canonicalType(intf),
				intf_role=(intf.get("role") or "").lower() or None,
				std_version=intf.get("version"),
				query_type=hashjoin(texts(intf, "queryType"), True),
				result_type=hashjoin(texts(intf, "resultType")),
				wsdl_url=hashjoin(texts(intf, "wsdlURL")),
				url_use=(urls[0].get("use") or "").lower() or None if urls else None,
				access_url=text(urls[0]) if urls else None,
				mirror_url=hashjoin(texts(intf, "mirrorURL")),
				authenticated_only=1 if secMeth and all(
					s.get("standardID") for s in secMeth) else 0,
				security_method_id=hashjoin([s.get("standardID") for s in secMeth]))

			for par in kids(intf, "param"):
				dt = (kids(par, "dataType") or [None])[0]
				yield row("intf_param", ivoid=ivoid, intf_index=intfIndex,
					name=text(par, "name"), ucd=text(par, "ucd"), unit=text(par, "unit"),
					utype=text(par, "utype"),
					std=0 if par.get("std") in ("false", "0") else 1,
					extended_schema=dt.get("extendedSchema") if dt is not None else None,
					extended_type=dt.get("extendedType") if dt is not None else None,
					arraysize=dt.get("arraysize") if dt is not None else None,
					delim=dt.get("delim") if dt is not None else None,
					param_description=text(par, "description"),
					type_system=canonicalType(dt) if dt is not None else None,
					datatype=text(dt) if dt is not None else None)

	# tablesets
	tableIndex = 0
	for tableset in kids(res, "tableset"):
		for schemaIndex, schema in enumerate(kids(tableset, "schema"), 1):
			yield row("res_schema", ivoid=ivoid, schema_index=schemaIndex,
				schema_description=text(schema, "description"),
				schema_name=text(schema, "name"),
				schema_title=text(schema, "title"),
				schema_utype=text(schema, "utype"))
			for table in kids(schema, "table"):
				tableIndex += 1
				nrows = text(table, "nrows")
				yield row("res_table", ivoid=ivoid, schema_index=schemaIndex,
					table_index=tableIndex,
					table_name=text(table, "name"),
					table_title=text(table, "title"),
					table_description=text(table, "description"),
					table_type=table.get("type"),
					table_utype=text(table, "utype"),
					nrows=int(nrows) if nrows else None)
				for col in kids(table, "column"):
					dt = (kids(col, "dataType") or [None])[0]
					yield row("table_column", ivoid=ivoid, table_index=tableIndex,
						name=text(col, "name"), ucd=text(col, "ucd"),
						unit=text(col, "unit"), utype=text(col, "utype"),
						description=text(col, "description"),
						flag=hashjoin(texts(col, "flag"), True),
						datatype=text(dt) if dt is not None else None,
						extended_schema=dt.get("extendedSchema") if dt is not None
							else None,
						extended_type=dt.get("extendedType") if dt is not None else None,
						arraysize=dt.get("arraysize") if dt is not None else None,
						delim=dt.get("delim") if dt is not None else None,
						type_system=canonicalType(dt) if dt is not None else None)


def iterOAIRecords(baseURL):
	"""yields (header, Resource element) pairs from ListRecords, following
	resumption tokens."""
	query = {"verb": "ListRecords", "metadataPrefix": "ivo_vor"}
	while True:
		with urllib.request.urlopen(
				baseURL+"?"+urllib.parse.urlencode(query), timeout=60) as f:
			tree = etree.parse(f)
		for rec in tree.getroot().iter(OAI+"record"):
			header = rec.find(OAI+"header")
			if header is not None and header.get("status")=="deleted":
				continue
			md = rec.find(OAI+"metadata")
			if md is None or not len(md):
				continue
			yield header, md[0]
		token = tree.getroot().find(".//"+OAI+"resumptionToken")
		if token is None or not (token.text or "").strip():
			break
		query = {"verb": "ListRecords", "resumptionToken": token.text.strip()}


class RowIterator(CustomRowIterator):
	def _iterRows(self):
		src = str(self.sourceToken)
		if src.startswith("http"):
			oaiURL = src
		else:
			oaiURL = base.getConfig("web", "serverURL")+"/oai.xml"
		harvestedFrom = "ivo://%s/__system__/services/registry"%(
			base.getConfig("ivoa", "authority"))
		harvestedOn = datetime.datetime.utcnow()
		for header, res in iterOAIRecords(oaiURL):
			yield from iterResourceRows(res, harvestedFrom, harvestedOn)

	def getLocator(self):
		return "OAI-PMH harvest of %s"%self.sourceToken
