<?xml version="1.0" encoding="utf-8"?>
<!-- voagent testbed: synthetic J and Ks images (FITS with a TAN WCS,
  written by testbed/gen) published through SIAP 1 (this RD's siap.xml),
  SIAP 2 (DaCHS' sitewide service over ivoa.obscore), ObsCore and a
  datalink/SODA service with POS/CIRCLE/POLYGON/PIXEL cutouts. -->
<resource schema="images" resdir=".">
  <meta name="creationDate">2024-01-01T00:00:00Z</meta>
  <meta name="title">voagent testbed Synthetic Images</meta>
  <meta name="description">
    Six synthetic 120x120 pixel near-infrared images (1 arcsec pixels, J
    and Ks) centred on anchor sources of the testbed catalogues around
    RA=150, Dec=+2; the stars of the 2MASS-like catalogue are painted in.
    For VO client integration tests (SIA, ObsCore, Datalink, SODA).
  </meta>
  <meta name="subject">infrared-photometry</meta>
  <meta name="creator">voagent test suite</meta>
  <meta name="instrument">VOA-CAM</meta>
  <meta name="facility">voagent Loopback Observatory</meta>
  <meta name="contentLevel">Research</meta>
  <meta name="type">Archive</meta>
  <meta name="coverage.waveband">Infrared</meta>
  <meta name="productType">image</meta>

  <table id="main" onDisk="True" mixin="//siap#pgs" adql="True">
    <meta name="description">The testbed images.</meta>
    <meta name="_associatedDatalinkService">
      <meta name="serviceId">dl</meta>
      <meta name="idColumn">pubDID</meta>
    </meta>
    <mixin
      calibLevel="2"
      collectionName="'voa-images'"
      targetName="object"
      expTime="exptime"
      targetClass="'star'"
      oUCD="'phot.count;em.IR'"
    >//obscore#publishSIAP</mixin>
    <column name="object" type="text" ucd="meta.id;src"
      description="Field name."/>
    <column name="exptime" type="real" unit="s" ucd="time.duration;obs.exposure"
      description="Exposure time."/>
    <column name="pubDID" type="text" ucd="meta.ref.ivoid"
      description="Publisher dataset identifier (the datalink ID)."/>
  </table>

  <data id="import">
    <sources pattern="data/*.fits"/>
    <fitsProdGrammar>
      <rowfilter procDef="//products#define">
        <bind key="table">"\schema.main"</bind>
        <bind key="mime">"image/fits"</bind>
      </rowfilter>
    </fitsProdGrammar>
    <make table="main">
      <rowmaker>
        <apply procDef="//siap#setMeta">
          <bind key="dateObs">parseTimestamp(@DATE_OBS, "%Y-%m-%dT%H:%M:%S")</bind>
          <bind key="bandpassId">@FILTER</bind>
          <bind key="bandpassRefval">float(@WLEFF)</bind>
          <bind key="bandpassLo">float(@WLMIN)</bind>
          <bind key="bandpassHi">float(@WLMAX)</bind>
          <bind key="instrument">@INSTRUME</bind>
          <bind key="pixflags">"Z"</bind>
          <bind key="title">"{} {} {}".format(@OBJECT, @FILTER,
            @DATE_OBS[:10])</bind>
        </apply>
        <apply procDef="//siap#computePGS"/>
        <map key="object">@OBJECT</map>
        <map key="exptime">float(@EXPTIME)</map>
        <map key="pubDID">\standardPubDID</map>
      </rowmaker>
    </make>
  </data>

  <service id="dl" allowed="dlget,dlmeta">
    <meta name="title">voagent testbed images datalink</meta>
    <datalinkCore>
      <descriptorGenerator procDef="//soda#fits_genDesc"/>
      <FEED source="//soda#fits_standardDLFuncs"/>
    </datalinkCore>
  </service>

  <service id="siap" allowed="siap.xml,form">
    <meta name="title">voagent testbed images SIAP</meta>
    <meta name="shortName">tb images siap</meta>
    <meta name="sia.type">Pointed</meta>
    <meta name="testQuery.pos.ra">150.0</meta>
    <meta name="testQuery.pos.dec">2.0</meta>
    <meta name="testQuery.size.ra">0.05</meta>
    <meta name="testQuery.size.dec">0.05</meta>
    <publish render="siap.xml" sets="ivo_managed"/>
    <dbCore queriedTable="main">
      <condDesc original="//siap#protoInput"/>
      <condDesc original="//siap#humanInput"/>
    </dbCore>
  </service>
</resource>
