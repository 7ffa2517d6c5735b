using Mlsh.MuJoCo.Interop;

namespace Mlsh.MuJoCo;

/// <summary>Object kinds that can be looked up by name (values are MuJoCo's mjtObj).</summary>
public enum MjObjectType
{
    Body = mjtObj.mjOBJ_BODY,
    Joint = mjtObj.mjOBJ_JOINT,
    Geom = mjtObj.mjOBJ_GEOM,
    Site = mjtObj.mjOBJ_SITE,
    Camera = mjtObj.mjOBJ_CAMERA,
    Mesh = mjtObj.mjOBJ_MESH,
    Tendon = mjtObj.mjOBJ_TENDON,
    Actuator = mjtObj.mjOBJ_ACTUATOR,
    Sensor = mjtObj.mjOBJ_SENSOR,
    Keyframe = mjtObj.mjOBJ_KEY,
}
