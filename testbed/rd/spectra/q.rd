<?xml version="1.0" encoding="utf-8"?>
<!-- voagent testbed: synthetic 1D spectra (FITS written by testbed/gen)
  published through SSA, ObsCore (ivoa.obscore) and a datalink/SODA
  service that delivers SDM VOTables with BAND cutouts. -->
<resource schema="spectra" resdir=".">
  <meta name="creationDate">2024-01-01T00:00:00Z</meta>
  <meta name="title">voagent testbed Synthetic Spectra</meta>
  <meta name="description">
    Six synthetic optical 1D spectra (4000-6994 Angstrom, 500 pixels, one
    absorption line each): one on each anchor source of the testbed
    catalogues around RA=150, Dec=+2 and one far away.  For VO client
    integration tests (SSA, ObsCore, Datalink, SODA).
  </meta>
  <meta name="subject">spectroscopy</meta>
  <meta name="subject">stars</meta>
  <meta name="creator">voagent test suite</meta>
  <meta name="instrument">VOA Spectrograph</meta>
  <meta name="facility">voagent Loopback Observatory</meta>
  <meta name="contentLevel">Research</meta>
  <meta name="type">Archive</meta>
  <meta name="coverage.waveband">Optical</meta>
  <meta name="ssap.dataSource">artificial</meta>
  <meta name="ssap.creationType">archival</meta>
  <meta name="productType">spectrum</meta>
  <meta name="ssap.testQuery">MAXREC=1</meta>

  <table id="raw_data" onDisk="True" adql="hidden"
      namePath="//ssap#instance">
    <LOOP listItems="ssa_dateObs ssa_dstitle ssa_targname ssa_length
        ssa_specstart ssa_specend ssa_timeExt ssa_specres">
      <events>
        <column original="\item"/>
      </events>
    </LOOP>
    <mixin>//products#table</mixin>
    <mixin>//ssap#plainlocation</mixin>
    <mixin>//ssap#simpleCoverage</mixin>
  </table>

  <data id="import">
    <recreateAfter>make_view</recreateAfter>
    <sources pattern="data/*.fits"/>
    <fitsProdGrammar qnd="True">
      <rowfilter procDef="//products#define">
        <bind key="table">"\schema.raw_data"</bind>
        <bind key="mime">"application/fits"</bind>
        <bind key="preview">None</bind>
      </rowfilter>
    </fitsProdGrammar>
    <make table="raw_data">
      <rowmaker idmaps="*">
        <var key="specAx">getWCSAxis(@header_, 1)</var>
        <apply procDef="//ssap#fill-plainlocation">
          <bind key="ra">float(@RA)</bind>
          <bind key="dec">float(@DEC)</bind>
          <bind key="aperture">2/3600.</bind>
        </apply>
        <map key="ssa_dateObs">dateTimeToMJD(parseTimestamp(@DATE_OBS,
          "%Y-%m-%dT%H:%M:%S"))</map>
        <map key="ssa_dstitle">"{} synthetic spectrum {}".format(
          @OBJECT, @DATE_OBS[:10])</map>
        <map key="ssa_targname">@OBJECT</map>
        <map key="ssa_specstart">@specAx.pixToPhys(1)*1e-10</map>
        <map key="ssa_specend"
          >@specAx.pixToPhys(@specAx.axisLength)*1e-10</map>
        <map key="ssa_length">@specAx.axisLength</map>
        <map key="ssa_timeExt">@EXPTIME</map>
        <map key="ssa_specres">float(@SPECRES)*1e-10</map>
      </rowmaker>
    </make>
  </data>

  <table id="data" onDisk="True" adql="True">
    <meta name="description">SSA metadata of the testbed spectra.</meta>
    <meta name="_associatedDatalinkService">
      <meta name="serviceId">sdl</meta>
      <meta name="idColumn">ssa_pubDID</meta>
    </meta>
    <mixin
      sourcetable="raw_data"
      copiedcolumns="*"
      ssa_aperture="2/3600."
      ssa_fluxunit="'erg.s**-1.cm**-2.Angstrom**-1'"
      ssa_spectralunit="'Angstrom'"
      ssa_bandpass="'Optical'"
      ssa_collection="'voa-spectra'"
      ssa_fluxcalib="'RELATIVE'"
      ssa_fluxucd="'phot.flux.density;em.wl'"
      ssa_speccalib="'ABSOLUTE'"
      ssa_spectralucd="'em.wl'"
      ssa_targclass="'star'"
      ssa_region="ssa_region"
    >//ssap#view</mixin>
    <mixin
      calibLevel="2"
      coverage="ssa_region"
      sResolution="2/3600."
      oUCD="ssa_fluxucd"
      emUCD="ssa_spectralucd"
      preview="NULL"
    >//obscore#publishSSAPMIXC</mixin>
  </table>

  <data id="make_view" auto="False">
    <make table="data"/>
  </data>

  <table id="instance" onDisk="False">
    <mixin ssaTable="data"
      spectralDescription="Wavelength"
      fluxDescription="Relative flux density"
      >//ssap#sdm-instance</mixin>
    <meta name="description">A synthetic spectrum.</meta>
  </table>

  <data id="build_spectrum" auto="False">
    <embeddedGrammar>
      <iterator>
        <setup imports="os">
          <code>
            from gavo.utils import pyfits
            from gavo.utils import fitstools
          </code>
        </setup>
        <code>
          srcPath = os.path.join(base.getConfig("inputsDir"),
            self.sourceToken["accref"])
          hdus = pyfits.open(srcPath)
          try:
            ax = fitstools.getWCSAxis(hdus[0].header, 1)
            for i, flux in enumerate(hdus[0].data):
              yield {"spectral": ax.pix0ToPhys(i), "flux": float(flux)}
          finally:
            hdus.close()
        </code>
      </iterator>
    </embeddedGrammar>
    <make table="instance">
      <parmaker>
        <apply procDef="//ssap#feedSSAToSDM"/>
      </parmaker>
    </make>
  </data>

  <service id="sdl" allowed="dlget,dlmeta">
    <meta name="title">voagent testbed spectra datalink</meta>
    <datalinkCore>
      <descriptorGenerator procDef="//soda#sdm_genDesc">
        <bind key="ssaTD">"\rdId#data"</bind>
      </descriptorGenerator>
      <dataFunction procDef="//soda#sdm_genData">
        <bind key="builder">"\rdId#build_spectrum"</bind>
      </dataFunction>
      <FEED source="//soda#sdm_plainfluxcalib"/>
      <FEED source="//soda#sdm_cutout"/>
      <FEED source="//soda#sdm_format"/>
    </datalinkCore>
  </service>

  <service id="ssa" allowed="ssap.xml">
    <meta name="title">voagent testbed spectra SSA</meta>
    <meta name="shortName">tb spectra ssa</meta>
    <meta name="ssap.complianceLevel">full</meta>
    <publish render="ssap.xml" sets="ivo_managed"/>
    <ssapCore queriedTable="data">
      <FEED source="//ssap#hcd_condDescs"/>
    </ssapCore>
  </service>
</resource>
