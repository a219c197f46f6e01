//! 3x3 linear algebra for the USL fit's normal equations, on ndarray: Gaussian
//! elimination with partial pivoting. (ndarray itself has no solver without LAPACK.)

use ndarray::{arr1, arr2, Array1, Array2};

/// Solves A x = b; None when A is singular.
pub fn solve3(a: [[f64; 3]; 3], b: [f64; 3]) -> Option<[f64; 3]> {
    let x = solve(arr2(&a), arr1(&b))?;
    Some([x[0], x[1], x[2]])
}

/// A^-1, column by column; None when A is singular.
pub fn invert3(a: [[f64; 3]; 3]) -> Option<[[f64; 3]; 3]> {
    let mut inverse = [[0.0; 3]; 3];
    for col in 0..3 {
        let mut e = [0.0; 3];
        e[col] = 1.0;
        let x = solve3(a, e)?;
        for row in 0..3 {
            inverse[row][col] = x[row];
        }
    }
    Some(inverse)
}

fn solve(mut a: Array2<f64>, mut b: Array1<f64>) -> Option<Array1<f64>> {
    let n = b.len();
    let scale = a.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    for k in 0..n {
        let pivot = (k..n).max_by(|&i, &j| a[[i, k]].abs().total_cmp(&a[[j, k]].abs()))?;
        if a[[pivot, k]].abs() <= scale * 1e-300 || a[[pivot, k]] == 0.0 {
            return None;
        }
        if pivot != k {
            for c in 0..n {
                a.swap([k, c], [pivot, c]);
            }
            b.swap(k, pivot);
        }
        for i in k + 1..n {
            let f = a[[i, k]] / a[[k, k]];
            for c in k..n {
                a[[i, c]] -= f * a[[k, c]];
            }
            b[i] -= f * b[k];
        }
    }
    let mut x = Array1::zeros(n);
    for i in (0..n).rev() {
        let s: f64 = (i + 1..n).map(|c| a[[i, c]] * x[c]).sum();
        x[i] = (b[i] - s) / a[[i, i]];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_and_inverts() {
        let a = [[4.0, 1.0, 2.0], [1.0, 3.0, 0.0], [2.0, 0.0, 5.0]];
        let x = solve3(a, [7.0, 4.0, 7.0]).unwrap();
        for (v, e) in x.iter().zip([1.0, 1.0, 1.0]) {
            assert!((v - e).abs() < 1e-12);
        }
        let inv = invert3(a).unwrap();
        let product: f64 = (0..3).map(|k| a[0][k] * inv[k][0]).sum();
        assert!((product - 1.0).abs() < 1e-12);
        assert!(solve3([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.0, 0.0, 1.0]], [1.0, 2.0, 3.0]).is_none());
    }
}
