"""Reference objects the tests build from the definitions, sharing no code with freetk."""
import numpy as np


def sigma_matrix(a, c, D, W):
    """The dp x dp population operator Sigma(U) = a U D^2 + c (U B^T B + B U^T B), built column by column."""
    d, p = W.shape
    B = W * D[None, :] / np.sqrt(d)
    BtB = B.T @ B
    M = np.zeros((d * p, d * p))
    for col in range(d * p):
        U = np.zeros(d * p)
        U[col] = 1
        U = U.reshape(d, p)
        M[:, col] = (a * U * (D ** 2)[None, :] + c * (U @ BtB + B @ U.T @ B)).ravel()
    return M
