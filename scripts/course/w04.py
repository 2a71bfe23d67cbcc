# 4. SAMP: the images found sent to Aladin (image.load.fits) while
#    searching, each as soon as it is downloaded (Aladin 12 cannot read the
#    testbed's URLs itself: "Could not load image !").
import os
import pyvo
from samphelp import samp_accessible, send_image
from tb import SIA1, OUT
with samp_accessible() as conn:
    for rec in pyvo.dal.SIAService(SIA1).search(pos=(150, 2), size=0.5):
        path = os.path.abspath(rec.make_dataset_filename(OUT))
        rec.cachedataset(path)
        send_image(conn, "file://" + path, rec.title, to="aladin")
