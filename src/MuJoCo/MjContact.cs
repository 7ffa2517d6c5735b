namespace Mlsh.MuJoCo;

/// <summary>A copy of one detected contact (from mjData.contact), small enough to return by value.</summary>
/// <param name="Geom1">Id of the first geom.</param>
/// <param name="Geom2">Id of the second geom.</param>
/// <param name="Distance">Signed distance; negative means penetration (m).</param>
/// <param name="PosX">Contact point, world frame (m).</param>
/// <param name="NormalX">Contact normal (first row of the contact frame), pointing from geom1 to geom2.</param>
public readonly record struct MjContact(
    int Geom1, int Geom2, double Distance,
    double PosX, double PosY, double PosZ,
    double NormalX, double NormalY, double NormalZ);
