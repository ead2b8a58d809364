//! The model's per-token states to one unit vector per text: the mean over
//! the text's real tokens (padding masked out), then L2 normalisation, which
//! is how the sentence-transformers models this adapter runs were trained.

/// `hidden` is row-major `rows × len × dim`; `mask` is `rows × len`, 1 for a
/// real token and 0 for padding.
pub fn mean_normalised(
    hidden: &[f32],
    mask: &[i64],
    rows: usize,
    len: usize,
    dim: usize,
) -> Vec<Vec<f32>> {
    debug_assert_eq!(hidden.len(), rows * len * dim);
    debug_assert_eq!(mask.len(), rows * len);
    (0..rows)
        .map(|row| {
            let mut sum = vec![0f32; dim];
            let mut count = 0f32;
            for token in 0..len {
                if mask[row * len + token] == 0 {
                    continue;
                }
                count += 1.0;
                let start = (row * len + token) * dim;
                for (s, h) in sum.iter_mut().zip(&hidden[start..start + dim]) {
                    *s += h;
                }
            }
            // Every text has at least [CLS] and [SEP]; the guard only keeps a
            // malformed batch from dividing by zero.
            let count = count.max(1.0);
            sum.iter_mut().for_each(|s| *s /= count);
            let norm = sum.iter().map(|x| x * x).sum::<f32>().sqrt();
            if norm > f32::EPSILON {
                sum.iter_mut().for_each(|s| *s /= norm);
            }
            sum
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_is_left_out_of_the_mean_and_each_row_has_unit_length() {
        // Two rows of three tokens, two dimensions; row 0's last token is
        // padding with a large state that must not count.
        let hidden = [
            1.0, 0.0, 3.0, 0.0, 100.0, 100.0, //
            0.0, 2.0, 0.0, 2.0, 0.0, 2.0,
        ];
        let mask = [1, 1, 0, 1, 1, 1];
        let out = mean_normalised(&hidden, &mask, 2, 3, 2);
        assert_eq!(out, vec![vec![1.0, 0.0], vec![0.0, 1.0]]);

        let hidden = [3.0, 4.0];
        let out = mean_normalised(&hidden, &[1], 1, 1, 2);
        assert!((out[0][0] - 0.6).abs() < 1e-6 && (out[0][1] - 0.8).abs() < 1e-6);
    }

    #[test]
    fn a_zero_state_stays_zero_instead_of_not_a_number() {
        let out = mean_normalised(&[0.0, 0.0], &[1], 1, 1, 2);
        assert_eq!(out, vec![vec![0.0, 0.0]]);
    }
}
