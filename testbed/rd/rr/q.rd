<?xml version="1.0" encoding="utf-8"?>
<!-- A minimal local RegTAP (schema rr) for the voagent testbed data centre.

  DaCHS 2.7 only *publishes* registry records (OAI-PMH at /oai.xml); it
  ships no searchable RegTAP.  This RD harvests the local OAI-PMH
  endpoint and fills a RegTAP-1.1-like subset of the rr tables so that
  clients can discover the local services with RegTAP queries.
  The server must be running when you run "dachs imp rr/q"; re-run it
  after every "dachs pub". -->
<resource schema="rr" resdir=".">
  <meta name="creationDate">2024-01-01T00:00:00Z</meta>
  <meta name="title">voagent testbed RegTAP subset</meta>
  <meta name="description">
    A relational registry (RegTAP 1.1 subset) containing the resources
    published by this voagent testbed data centre, harvested from its own
    OAI-PMH endpoint.
  </meta>
  <meta name="subject">astronomical-object-identification</meta>
  <meta name="creator">Test, A.</meta>
  <meta name="contentLevel">Research</meta>
  <meta name="type">Other</meta>
  <meta name="schema-rank">50</meta>

  <table id="resource" onDisk="True" adql="True" primary="ivoid">
    <meta name="description">The resources (services, tables, authorities,
      registries) known to this registry.</meta>
    <property name="supportsModel">Registry 1.1</property>
    <property name="supportsModelURI">ivo://ivoa.net/std/RegTAP#1.1</property>
    <column name="ivoid" type="text" ucd="meta.ref.ivoid"
      description="Unambiguous reference to the resource (lower-cased)."/>
    <column name="res_type" type="text" ucd="meta.code"
      description="Resource type (canonical xsi:type, lower-cased)."/>
    <column name="created" type="timestamp" ucd="time.creation"
      description="Date and time of resource record creation."/>
    <column name="short_name" type="text" ucd="meta.id"
      description="A short name or abbreviation for the resource."/>
    <column name="res_title" type="text" ucd="meta.title"
      description="The full name given to the resource."/>
    <column name="content_level" type="text" ucd="meta.code"
      description="#-separated list of intended audiences (lower-cased)."/>
    <column name="res_description" type="text" ucd="meta.note"
      description="An account of the nature of the resource."/>
    <column name="reference_url" type="text" ucd="meta.ref.url"
      description="URL pointing to a human-readable document describing
        this resource."/>
    <column name="creator_seq" type="text" ucd="meta.bib.author"
      description="Creator names, separated by semicolons."/>
    <column name="content_type" type="text" ucd="meta.code.class"
      description="#-separated list of resource natures (lower-cased)."/>
    <column name="source_format" type="text" ucd="meta.code.class"
      description="Format of source_value."/>
    <column name="source_value" type="text" ucd="meta.bib"
      description="A bibliographic reference from which the resource
        is derived."/>
    <column name="res_version" type="text" ucd="meta.version"
      description="Label associated with creation or availablilty of a
        version of a resource."/>
    <column name="region_of_regard" type="real" unit="deg"
      ucd="pos.angResolution"
      description="Typical angular scale of the resource."/>
    <column name="waveband" type="text" ucd="instr.bandpass"
      description="#-separated list of wavebands (lower-cased)."/>
    <column name="rights" type="text" ucd="meta.code"
      description="Statement of usage conditions."/>
    <column name="rights_uri" type="text" ucd="meta.ref.url"
      description="URI of a license."/>
    <column name="harvested_from" type="text" ucd="meta.ref.ivoid"
      description="IVOID of the registry this record was harvested from."/>
    <column name="harvested_on" type="timestamp" ucd="time.processing"
      description="Date and time of the record's last harvest."/>
    <column name="updated" type="timestamp" ucd="time.processing"
      description="Date and time of the last update of the record."/>
  </table>

  <table id="capability" onDisk="True" adql="True" primary="ivoid,cap_index">
    <meta name="description">Pieces of behaviour of a resource.</meta>
    <foreignKey source="ivoid" inTable="resource"/>
    <column name="ivoid" type="text" ucd="meta.ref.ivoid"
      description="The parent resource."/>
    <column name="cap_index" type="smallint" required="True" ucd="meta.id"
      description="Index of the capability within the resource (1-based)."/>
    <column name="cap_name" type="text" ucd="meta.id"
      description="Unused (always NULL)."/>
    <column name="cap_type" type="text" ucd="meta.code"
      description="Capability type (canonical xsi:type, lower-cased)."/>
    <column name="cap_description" type="text" ucd="meta.note"
      description="Description of the capability."/>
    <column name="standard_id" type="text" ucd="meta.ref.ivoid"
      description="Standard identifier of the capability (lower-cased)."/>
  </table>

  <table id="interface" onDisk="True" adql="True"
      primary="ivoid,intf_index">
    <meta name="description">Information on access modes of a
      capability.</meta>
    <foreignKey source="ivoid" inTable="resource"/>
    <column name="ivoid" type="text" ucd="meta.ref.ivoid"
      description="The parent resource."/>
    <column name="cap_index" type="smallint" ucd="meta.ref"
      description="Index of the parent capability.">
      <values nullLiteral="-1"/>
    </column>
    <column name="intf_index" type="smallint" required="True" ucd="meta.id"
      description="Index of the interface within the resource (1-based)."/>
    <column name="intf_type" type="text" ucd="meta.code"
      description="Interface type (canonical xsi:type, lower-cased)."/>
    <column name="intf_role" type="text" ucd="meta.code"
      description="Interface role; 'std' for standard interfaces."/>
    <column name="std_version" type="text" ucd="meta.version"
      description="Version of the standard implemented."/>
    <column name="query_type" type="text" ucd="meta.code"
      description="#-separated HTTP verbs (lower-cased)."/>
    <column name="result_type" type="text" ucd="meta.code.mime"
      description="MIME type of the response."/>
    <column name="wsdl_url" type="text" ucd="meta.ref.url"
      description="WSDL location (SOAP interfaces only)."/>
    <column name="url_use" type="text" ucd="meta.code"
      description="full, base, post, or dir."/>
    <column name="access_url" type="text" ucd="meta.ref.url"
      description="The URL at which the interface is found."/>
    <column name="mirror_url" type="text" ucd="meta.ref.url"
      description="#-separated mirror URLs."/>
    <column name="authenticated_only" type="smallint" ucd="meta.code"
      description="1 if the interface requires authentication.">
      <values nullLiteral="-1"/>
    </column>
    <column name="security_method_id" type="text" ucd="meta.code"
      description="#-separated standard ids of supported security
        methods."/>
  </table>

  <table id="intf_param" onDisk="True" adql="True">
    <meta name="description">Input parameters of ParamHTTP
      interfaces.</meta>
    <foreignKey source="ivoid" inTable="resource"/>
    <column name="ivoid" type="text" ucd="meta.ref.ivoid"
      description="The parent resource."/>
    <column name="intf_index" type="smallint" ucd="meta.ref"
      description="Index of the parent interface.">
      <values nullLiteral="-1"/>
    </column>
    <column name="name" type="text" ucd="meta.id"
      description="Name of the parameter."/>
    <column name="ucd" type="text" ucd="meta.ucd"
      description="UCD of the parameter."/>
    <column name="unit" type="text" ucd="meta.unit"
      description="Unit of the parameter."/>
    <column name="utype" type="text" ucd="meta.id"
      description="Utype of the parameter."/>
    <column name="std" type="smallint" ucd="meta.code"
      description="1 if the parameter is defined by the standard.">
      <values nullLiteral="-1"/>
    </column>
    <column name="extended_schema" type="text" ucd="meta.ref.url"
      description="Extended data type schema."/>
    <column name="extended_type" type="text" ucd="meta.code"
      description="Extended data type."/>
    <column name="arraysize" type="text" ucd="meta.code"
      description="VOTable-style arraysize."/>
    <column name="delim" type="text" ucd="meta.code"
      description="Array delimiter."/>
    <column name="param_description" type="text" ucd="meta.note"
      description="Description of the parameter."/>
    <column name="type_system" type="text" ucd="meta.code"
      description="Type system of datatype (lower-cased xsi:type)."/>
    <column name="datatype" type="text" ucd="meta.code"
      description="Data type of the parameter."/>
  </table>

  <table id="res_subject" onDisk="True" adql="True">
    <meta name="description">Topics, object types, or other descriptive
      keywords about the resource.</meta>
    <foreignKey source="ivoid" inTable="resource"/>
    <column name="ivoid" type="text" ucd="meta.ref.ivoid"
      description="The parent resource."/>
    <column name="res_subject" type="text" ucd="meta.id"
      description="One subject keyword."/>
  </table>

  <table id="res_role" onDisk="True" adql="True">
    <meta name="description">Entities (persons, organisations) related to
      resources: creators, contacts, publishers, contributors.</meta>
    <foreignKey source="ivoid" inTable="resource"/>
    <column name="ivoid" type="text" ucd="meta.ref.ivoid"
      description="The parent resource."/>
    <column name="role_name" type="text" ucd="meta.id"
      description="Real-world name of the entity."/>
    <column name="role_ivoid" type="text" ucd="meta.ref.ivoid"
      description="IVOID of the entity, if any."/>
    <column name="street_address" type="text" ucd="meta.note"
      description="Postal address (contacts only)."/>
    <column name="email" type="text" ucd="meta.email"
      description="E-mail address (contacts only)."/>
    <column name="telephone" type="text" ucd="meta.note"
      description="Telephone number (contacts only)."/>
    <column name="logo" type="text" ucd="meta.ref.url"
      description="URL of a logo (creators only)."/>
    <column name="base_role" type="text" ucd="meta.code"
      description="contact, publisher, contributor, or creator."/>
    <column name="role_index" type="smallint" ucd="meta.number"
      description="1-based index of the entity within its base_role.">
      <values nullLiteral="-1"/>
    </column>
  </table>

  <table id="res_date" onDisk="True" adql="True">
    <meta name="description">Dates associated with resources.</meta>
    <foreignKey source="ivoid" inTable="resource"/>
    <column name="ivoid" type="text" ucd="meta.ref.ivoid"
      description="The parent resource."/>
    <column name="date_value" type="timestamp" ucd="time.epoch"
      description="A date associated with an event in the life cycle of
        the resource."/>
    <column name="value_role" type="text" ucd="meta.code"
      description="The event the date refers to (lower-cased)."/>
  </table>

  <table id="res_detail" onDisk="True" adql="True">
    <meta name="description">XPath-value pairs for members of resource or
      capability and their derivations that are less used and/or from
      VOResource extensions.</meta>
    <foreignKey source="ivoid" inTable="resource"/>
    <column name="ivoid" type="text" ucd="meta.ref.ivoid"
      description="The parent resource."/>
    <column name="cap_index" type="smallint" ucd="meta.ref"
      description="Index of the parent capability; NULL for details on the
        resource level.">
      <values nullLiteral="-1"/>
    </column>
    <column name="detail_xpath" type="text" ucd="meta.id"
      description="The xpath of the data item."/>
    <column name="detail_value" type="text" ucd="meta.note"
      description="(Atomic) value of the member."/>
  </table>

  <table id="relationship" onDisk="True" adql="True">
    <meta name="description">Relationships between resources.</meta>
    <foreignKey source="ivoid" inTable="resource"/>
    <column name="ivoid" type="text" ucd="meta.ref.ivoid"
      description="The parent resource."/>
    <column name="relationship_type" type="text" ucd="meta.code"
      description="The named type of relationship (lower-cased)."/>
    <column name="related_id" type="text" ucd="meta.ref.ivoid"
      description="IVOID of the related resource (lower-cased)."/>
    <column name="related_name" type="text" ucd="meta.id"
      description="Name of the related resource."/>
  </table>

  <table id="alt_identifier" onDisk="True" adql="True">
    <meta name="description">Alternate identifiers (e.g., DOIs).</meta>
    <foreignKey source="ivoid" inTable="resource"/>
    <column name="ivoid" type="text" ucd="meta.ref.ivoid"
      description="The parent resource."/>
    <column name="alt_identifier" type="text" ucd="meta.id"
      description="An alternate identifier (URI form)."/>
  </table>

  <table id="res_schema" onDisk="True" adql="True">
    <meta name="description">Sets of tables related to resources.</meta>
    <foreignKey source="ivoid" inTable="resource"/>
    <column name="ivoid" type="text" ucd="meta.ref.ivoid"
      description="The parent resource."/>
    <column name="schema_index" type="smallint" ucd="meta.id"
      description="1-based index of the schema within the resource.">
      <values nullLiteral="-1"/>
    </column>
    <column name="schema_description" type="text" ucd="meta.note"
      description="Description of the schema."/>
    <column name="schema_name" type="text" ucd="meta.id"
      description="Name of the schema."/>
    <column name="schema_title" type="text" ucd="meta.title"
      description="Title of the schema."/>
    <column name="schema_utype" type="text" ucd="meta.id"
      description="Utype of the schema."/>
  </table>

  <table id="res_table" onDisk="True" adql="True">
    <meta name="description">(Relational) tables that are part of
      schemata or resources.</meta>
    <foreignKey source="ivoid" inTable="resource"/>
    <column name="ivoid" type="text" ucd="meta.ref.ivoid"
      description="The parent resource."/>
    <column name="schema_index" type="smallint" ucd="meta.ref"
      description="Index of the parent schema.">
      <values nullLiteral="-1"/>
    </column>
    <column name="table_description" type="text" ucd="meta.note"
      description="Description of the table."/>
    <column name="table_name" type="text" ucd="meta.id"
      description="Fully qualified name of the table."/>
    <column name="table_index" type="smallint" ucd="meta.id"
      description="1-based index of the table within the resource.">
      <values nullLiteral="-1"/>
    </column>
    <column name="table_title" type="text" ucd="meta.title"
      description="Title of the table."/>
    <column name="table_type" type="text" ucd="meta.code"
      description="table, view, or output."/>
    <column name="table_utype" type="text" ucd="meta.id"
      description="Utype of the table."/>
    <column name="nrows" type="bigint" ucd="meta.number"
      description="Approximate number of rows.">
      <values nullLiteral="-1"/>
    </column>
  </table>

  <table id="table_column" onDisk="True" adql="True">
    <meta name="description">Metadata on columns of a resource's
      tables.</meta>
    <foreignKey source="ivoid" inTable="resource"/>
    <column name="ivoid" type="text" ucd="meta.ref.ivoid"
      description="The parent resource."/>
    <column name="table_index" type="smallint" ucd="meta.ref"
      description="Index of the parent table.">
      <values nullLiteral="-1"/>
    </column>
    <column name="name" type="text" ucd="meta.id"
      description="Name of the column."/>
    <column name="ucd" type="text" ucd="meta.ucd"
      description="UCD of the column."/>
    <column name="unit" type="text" ucd="meta.unit"
      description="Unit of the column."/>
    <column name="utype" type="text" ucd="meta.id"
      description="Utype of the column."/>
    <column name="datatype" type="text" ucd="meta.code"
      description="Data type of the column."/>
    <column name="extended_schema" type="text" ucd="meta.ref.url"
      description="Extended data type schema."/>
    <column name="extended_type" type="text" ucd="meta.code"
      description="Extended data type (xtype)."/>
    <column name="arraysize" type="text" ucd="meta.code"
      description="VOTable-style arraysize."/>
    <column name="delim" type="text" ucd="meta.code"
      description="Array delimiter."/>
    <column name="type_system" type="text" ucd="meta.code"
      description="Type system of datatype (lower-cased xsi:type)."/>
    <column name="flag" type="text" ucd="meta.code"
      description="#-separated flags (indexed, primary, nullable)."/>
    <column name="description" type="text" ucd="meta.note"
      description="Description of the column."/>
  </table>

  <data id="import">
    <sources><item>local-oai</item></sources>
    <customGrammar module="res/rrharvest" isDispatching="True"/>
    <LOOP listItems="resource capability interface intf_param res_subject
        res_role res_date res_detail relationship alt_identifier res_schema
        res_table table_column">
      <events>
        <make table="\item" role="\item">
          <rowmaker idmaps="*"/>
        </make>
      </events>
    </LOOP>
  </data>
</resource>
