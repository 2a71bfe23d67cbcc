# 6. TAP sync: an ADQL query, the result as a table, saved as VOTable.
import os
import pyvo
from tb import TAP, OUT
q = "SELECT TOP 50 * FROM twomass.psc ORDER BY ra"
pyvo.dal.TAPService(TAP).search(q).to_table().write(os.path.join(OUT, "psc.xml"), format="votable", overwrite=True)
