# 17. SODA: a cutout (CIRCLE) through the dataset's datalink service
#     descriptor instead of the whole image.
import os
from pyvo.dal.adhoc import DatalinkResults
from tb import IMAGES_DL, OUT
dl = DatalinkResults.from_result_url(IMAGES_DL + "?ID=ivo%3A%2F%2Fvoagent.test%2F~%3Fimages%2Fdata%2Fimg_j_1.fits")
proc = dl.get_first_proc()
data = proc.processed(circle=(150, 2, 0.01)).read()
d = os.path.join(OUT, "cut")
os.makedirs(d, exist_ok=True)
with open(os.path.join(d, "cut.fits"), "wb") as f:
    f.write(data)
