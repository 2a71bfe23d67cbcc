"""scipy.optimize.curve_fit on SED points, the oracle of fit_test.go.

stdin: JSON list of cases {"model": "blackbody"|"powerlaw", "nu": [Hz],
"jy": [Jy], "sigma": [Jy], "absolute": bool, "p0": [p1, p2]}; stdout: JSON
list of {"params": [p1, p2], "errors": [e1, e2], "chi2": x}. The blackbody
is scale * B_nu(T) in Jy (params T in K, scale in sr), the power law
norm * (nu / nu(1 um))**slope (params slope, norm in Jy); both scales are
fitted as their logarithms, as vo/sed does, and reported back linearly.
"""
import json
import sys

import numpy as np
from scipy.optimize import curve_fit

H, K, C = 6.62607015e-34, 1.380649e-23, 299792458.0
NU0 = C / 1e-6


def blackbody(nu, t, lns):
    return np.exp(lns) * 2 * H * nu**3 / C**2 / np.expm1(H * nu / (K * t)) / 1e-26


def powerlaw(nu, slope, lnn):
    return np.exp(lnn) * (nu / NU0) ** slope


out = []
for case in json.load(sys.stdin):
    f = blackbody if case["model"] == "blackbody" else powerlaw
    nu, jy, sig = (np.array(case[k], dtype=float) for k in ("nu", "jy", "sigma"))
    p0 = [case["p0"][0], np.log(case["p0"][1])]
    popt, pcov = curve_fit(f, nu, jy, p0=p0, sigma=sig, absolute_sigma=case["absolute"], maxfev=100000,
                           xtol=1e-14, ftol=1e-14, gtol=1e-14)
    err = np.sqrt(np.diag(pcov))
    scale = np.exp(popt[1])
    chi2 = float(np.sum(((jy - f(nu, *popt)) / sig) ** 2))
    out.append({"params": [float(popt[0]), float(scale)], "errors": [float(err[0]), float(scale * err[1])], "chi2": chi2})
json.dump(out, sys.stdout)
